"""Planning a query before it is matched: the codes it names, the typos it corrects, how common each word is
in the index, and which clauses select the candidates (`plan`)."""

import re

from django.core.cache import cache

from kb.search.models import SearchEntry, SearchTerm
from kb.search.pipeline import (
    _CODE_PREFIX,
    _LETTER_DIGIT,
    _LOOKALIKE,
    STOP_WORDS,
    Clause,
    ParsedQuery,
    code_candidates,
    code_lookalikes,
    edits1,
    model_numbers,
    normalize,
    stem,
)

SMALL_INDEX = 500  # entries up to which every clause selects candidates (the shipped knowledge base has ~120)
CANDIDATE_BUDGET = 1500  # pages the clauses chosen to select candidates may match, together (see plan)
STREAM_WINDOW = 250  # when every typed word is more common than that: how many of the newest matches are ranked
ENTRY_COUNT_KEY = "kb:search:entry-count"

# A clause with how many entries hold it (None for an as-you-type prefix, which is never counted).
type Counted = tuple[Clause, int | None]


def entry_count() -> int:
    """Roughly how many entries the index holds (cached a minute: counting rows is slow on a large table)."""
    count = cache.get(ENTRY_COUNT_KEY)
    if count is None:
        count = SearchEntry.objects.count()
        cache.set(ENTRY_COUNT_KEY, count, 60)
    return count


def detect_codes(query: ParsedQuery) -> tuple[list[str], list[str]]:
    """The response codes the query names that have a page, and the code-shaped strings that have none."""
    candidates = code_candidates(query.normalized)
    lookalikes = code_lookalikes(query.normalized)
    if not candidates and not lookalikes:
        return [], []
    # The codes that have a page: the index's code documents, whatever their language.
    known = set(
        SearchEntry.objects.filter(kind=SearchEntry.Kind.CODE, key__in=candidates + lookalikes).values_list(
            "key", flat=True
        )
    )
    found = [c for c in candidates if c in known]
    # "AO" typed for "A0": only when the query is not itself a code.
    found = found or [c for c in lookalikes if c in known]
    models = model_numbers(query.normalized)
    return found, [c for c in candidates if c not in known and c not in models] if not found else []


def count_terms(parsed: ParsedQuery) -> None:
    """Fill in how many entries hold each of the query's tokens that has not been counted yet."""
    tokens = {token for clause in parsed.clauses if not clause.prefix for token in clause.tokens}
    tokens.update(piece for unit in parsed.units for piece in unit)
    missing = tokens - set(parsed.counts)
    if missing:
        parsed.counts |= dict(SearchTerm.objects.filter(term__in=missing).values_list("term", "entries"))


def correct_typos(query: ParsedQuery, counts: dict[str, int]) -> dict[str, str]:
    """English words and pinyin the index has never seen get their closest indexed spelling as an
    alternative (one edit away: a letter missing, extra, wrong or two swapped)."""
    # A word a synonym group knows ("unable") is spelled right, though no page may use it.
    known = set().union(*query.stands_for.values())
    for word in query.words:
        if word in counts or word in known or not (word.isascii() and word.isalpha() and len(word) >= 4):
            continue
        best = (
            SearchTerm.objects.filter(term__in=sorted(edits1(word)))
            .order_by("-entries", "term")
            .values_list("term", "entries")
            .first()
        )
        if best:
            query.corrections[word] = best[0]
            counts[best[0]] = best[1]
            query.add(Clause((best[0],)))
            query.highlight.add(best[0])
        elif parts := split_glued(word, counts) or split_glued_typo(word, counts):
            # "signinagain", "macerror", "cantconnect": words typed without their spaces ("singon": and a typo);
            # all of them must match.
            query.corrections[word] = " ".join(parts)
            indexed = tuple(part for part in parts if part in counts)
            query.add(Clause(indexed))
            query.highlight.update(indexed)
    return query.corrections


GLUED_MIN = 6  # letters of a word before it is tried as several glued ones ("signon")


def split_glued(word: str, counts: dict[str, int]) -> tuple[str, ...]:
    """The fewest indexed words (2 or 3, English stop words allowed between them) that spell `word`, the
    most common such split first; () when none does."""
    if len(word) < GLUED_MIN or not word.isalpha():
        return ()
    _fetch_parts([word], counts)
    return _best_split(word, counts)


def split_glued_typo(word: str, counts: dict[str, int]) -> tuple[str, ...]:
    """split_glued for a word one letter missing or two letters swapped away ("singon" is "signon", "sign on"):
    the split of the most common words, or ()."""
    if len(word) < GLUED_MIN or not word.isalpha():
        return ()
    edits = {word[:i] + word[i + 1 :] for i in range(len(word))}
    edits |= {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    variants = sorted(v for v in edits - {word} if len(v) >= GLUED_MIN)
    _fetch_parts(variants, counts)
    splits = [split for split in (_best_split(v, counts) for v in variants) if split]
    return max(splits, key=lambda split: min(counts.get(p, 0) for p in split if p not in STOP_WORDS), default=())


def _fetch_parts(words: list[str], counts: dict[str, int]) -> None:
    """Add to `counts` every indexed word found inside `words` (one query)."""
    parts = {w[i:j] for w in words for i in range(len(w)) for j in range(i + 2, len(w) + 1)} - set(counts)
    counts.update(SearchTerm.objects.filter(term__in=parts).values_list("term", "entries"))


# Negations glued to the next word lose their space and apostrophe ("cantconnect"): read as typed apart.
_GLUED_NEGATIONS = {"cant": "can not", "wont": "will not", "dont": "do not", "doesnt": "does not", "isnt": "is not"}


def _best_split(word: str, counts: dict[str, int]) -> tuple[str, ...]:
    def known(part: str) -> bool:
        return len(part) >= 2 and (counts.get(stem(part), 0) > 0 or part in STOP_WORDS or part in _GLUED_NEGATIONS)

    splits: list[tuple[str, ...]] = [(word[:i], word[i:]) for i in range(2, len(word) - 1)]
    splits += [(word[:i], word[i:j], word[j:]) for i in range(2, len(word)) for j in range(i + 2, len(word) - 1)]
    found = [split for split in splits if all(known(p) for p in split) and any(counts.get(stem(p)) for p in split)]
    if not found:
        return ()
    best = min(
        found, key=lambda split: (len(split), -min(counts.get(stem(p), 0) for p in split if counts.get(stem(p))))
    )
    return tuple(_GLUED_NEGATIONS.get(part) or stem(part) for part in best)


# --- The plan ---------------------------------------------------------------------------------------


def plan(query: ParsedQuery, counts: dict[str, int]) -> tuple[ParsedQuery, int | None]:
    """Which clauses select the candidates, and whether to rank only a window of them.

    Clauses whose words are not in the index are dropped. On an index larger than SMALL_INDEX the
    words the merchant typed are taken rarest first, then synonyms and corrections, until the pages they
    match would exceed the budget: rare words decide what a page is about, while a word found in most
    pages adds next to nothing to its score (bm25's IDF) and costs a pass over most of the index. When
    even the rarest typed word is that common ("签到" on a big index), the newest STREAM_WINDOW pages
    matching what was typed are ranked instead of all of them. The re-rank still scores every typed word.
    """
    known = _known_clauses(query, counts)
    if entry_count() <= SMALL_INDEX:
        return _planned(query, (clause for clause, _n in known)), None
    own, others = _rarest_first(query, known)
    if _too_common(own, others):
        return _planned(query, _typed_clauses(query, known)), STREAM_WINDOW
    return _planned(query, _within_budget(own + others)), None


def _entries(clause: Clause, counts: dict[str, int]) -> int | None:
    """How many entries hold all of a clause's tokens, at most; None for a prefix (not counted)."""
    return None if clause.prefix else min(counts.get(token, 0) for token in clause.tokens)


def _known_clauses(query: ParsedQuery, counts: dict[str, int]) -> list[Counted]:
    """The query's clauses that some entry holds (prefixes kept: they are not counted)."""
    counted = ((clause, _entries(clause, counts)) for clause in query.clauses)
    return [(clause, n) for clause, n in counted if n is None or n > 0]


def _planned(query: ParsedQuery, clauses) -> ParsedQuery:
    """A query with the same text and words as `query`, selecting candidates with `clauses` only."""
    chosen = ParsedQuery(raw=query.raw, normalized=query.normalized, words=query.words)
    for clause in clauses:
        chosen.add(clause)
    return chosen


def _rarest_first(
    query: ParsedQuery, known: list[Counted]
) -> tuple[list[tuple[Clause, int]], list[tuple[Clause, int]]]:
    """The counted clauses, rarest first: the typed words, then the others (synonyms, corrections, codes)."""
    typed = {Clause((word,)) for word in query.words}
    countable = [(clause, n) for clause, n in known if n is not None]
    own = sorted(((c, n) for c, n in countable if c in typed), key=lambda item: item[1])
    others = sorted(((c, n) for c, n in countable if c not in typed), key=lambda item: item[1])
    return own, others


def _too_common(own: list[tuple[Clause, int]], others: list[tuple[Clause, int]]) -> bool:
    """Whether even the rarest typed word (or, with none counted, the rarest other clause) is over budget."""
    rarest = own[0][1] if own else (others[0][1] if others else None)
    return rarest is None or rarest > CANDIDATE_BUDGET


def _typed_clauses(query: ParsedQuery, known: list[Counted]) -> list[Clause]:
    """What was typed (with corrections, codes and as-you-type prefixes), not the synonyms: every clause is
    tested on every page the window walks past."""
    return [clause for clause, _n in known if clause not in query.expansions]


def _within_budget(ordered: list[tuple[Clause, int]]) -> list[Clause]:
    """The clauses, in order, whose pages still fit in CANDIDATE_BUDGET together (a large one is skipped)."""
    chosen, budget = [], 0
    for clause, n in ordered:
        if budget + n <= CANDIDATE_BUDGET:
            chosen.append(clause)
            budget += n
    return chosen


# A text read from a photo of a screen or a receipt is not a query: its bare numbers are dates, times and
# amounts ("2026/12/07"), so only codes named as codes count there; "RESP" is how receipts label field 39.
_READ_PREFIX = re.compile(_CODE_PREFIX.replace("(?:error|", "(?:resp|error|") + r"\s*([a-z0-9]{2})(?![a-z0-9])")
# Letters the reader returns for look-alike digits ("AO" for "A0"), wherever a letter-and-letter pair stands
# alone or against CJK text ("ao校验错").
_READ_LOOKALIKE = re.compile(r"(?<![a-z0-9])([a-z][oil])(?![a-z0-9])")


def codes_read(text: str) -> list[str]:
    """The response codes with a page that a text read from a photo names: after 返回码/应答码/错误码/RESP…,
    letter-and-digit codes ("A0", not a maker's model number), and look-alike letters read for digits;
    in the order they appear, line by line."""
    found: list[str] = []
    for line in text.splitlines():
        normalized = normalize(line)
        for match in _READ_PREFIX.finditer(normalized):
            found.append(match.group(1).upper())
        models = model_numbers(normalized)
        found.extend(m.group(1).upper() for m in _LETTER_DIGIT.finditer(normalized) if m.group(1).upper() not in models)
        for match in _READ_LOOKALIKE.finditer(normalized):
            found.extend(code_lookalikes(match.group(1)))
    found = [code[0] + code[1].translate(_LOOKALIKE) if code[0].isalpha() else code for code in dict.fromkeys(found)]
    found = list(dict.fromkeys(found))
    if not found:
        return []
    known = set(SearchEntry.objects.filter(kind=SearchEntry.Kind.CODE, key__in=found).values_list("key", flat=True))
    return [code for code in found if code in known]
