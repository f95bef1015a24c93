"""Reads for search: run a query, shape hits with snippets, and the analytics for editors."""

import math
import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from kb.search.backends import get_backend
from kb.search.models import TOKEN_FIELDS, SearchEntry, SearchTerm
from kb.search.pipeline import (
    STOP_WORDS,
    Clause,
    ParsedQuery,
    add_synonyms,
    code_candidates,
    code_lookalikes,
    edits1,
    has_cjk,
    parse_query,
    stem,
)
from kb.search.synonyms import current_synonyms

MAX_QUERY_LENGTH = 200
SNIPPET_CHARS = 140
RERANK_POOL = 30  # candidates the backend returns for re-ranking
SMALL_INDEX = 500  # entries up to which every clause selects candidates (the shipped knowledge base has ~120)
CANDIDATE_BUDGET = 1500  # pages the clauses chosen to select candidates may match, together (see _plan)
STREAM_WINDOW = 250  # when every typed word is more common than that: how many of the newest matches are ranked
ENTRY_COUNT_KEY = "kb:search:entry-count"
RERANK_COVERAGE = 0.5
RERANK_EXACT = 0.6
# The share of the typed words (weighted by rarity, a word no page has weighing most) that the best page
# must cover, in its title, symptoms, codes, tags or summary (the body at half credit), for the results to
# count as an answer. A third: merchants' sentences carry filler the index never saw ("付款一直在转圈"
# covers 0.31), while a question about something the portal has no page for misses its topic word, the
# rarest one ("店里的空调坏了": 0.27, only 坏了 is known). Below it the results are the closest articles.
EXACT_SHARE = 0.3
BODY_CREDIT = 0.5
CODE_SHARE = 0.5  # a code page found by words, not by its code, must be about at least half of the query

# --- Search ------------------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str
    key: str
    language: str
    title: str
    url: str
    snippet: str
    title_parts: list[tuple[str, bool]]
    snippet_parts: list[tuple[str, bool]]
    score: float = 0.0
    line: str = ""

    def as_json(self) -> dict:
        return {"title": self.title, "url": self.url, "snippet": self.snippet, "line": self.line, "kind": self.kind}


@dataclass
class SearchResult:
    query: ParsedQuery
    language: str
    hits: list[Hit] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    unknown_codes: list[str] = field(default_factory=list)  # code-shaped ("C1") but without a page
    corrections: dict[str, str] = field(default_factory=dict)
    other_language: bool = False  # the hits are in the other language (nothing matched in this one)
    # False when no page covers enough of what was typed: the hits are only the closest articles.
    exact: bool = False
    match_share: float = 0.0


def _detect_codes(query: ParsedQuery) -> tuple[list[str], list[str]]:
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
    return found, [c for c in candidates if c not in known] if not found else []


def _entry_count() -> int:
    """Roughly how many entries the index holds (cached a minute: counting rows is slow on a large table)."""
    count = cache.get(ENTRY_COUNT_KEY)
    if count is None:
        count = SearchEntry.objects.count()
        cache.set(ENTRY_COUNT_KEY, count, 60)
    return count


def _correct_typos(query: ParsedQuery, counts: dict[str, int]) -> dict[str, str]:
    """English words and pinyin the index has never seen get their closest indexed spelling as an
    alternative (one edit away: a letter missing, extra, wrong or two swapped)."""
    for word in query.words:
        if word in counts or not (word.isascii() and word.isalpha() and len(word) >= 4):
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
    return query.corrections


def _plan(query: ParsedQuery, counts: dict[str, int]) -> tuple[ParsedQuery, int | None]:
    """Which clauses select the candidates, and whether to rank only a window of them.

    Clauses whose words are not in the index are dropped. On an index larger than SMALL_INDEX the
    words the merchant typed are taken rarest first, then synonyms and corrections, until the pages they
    match would exceed the budget: rare words decide what a page is about, while a word found in most
    pages adds next to nothing to its score (bm25's IDF) and costs a pass over most of the index. When
    even the rarest typed word is that common ("签到" on a big index), the newest STREAM_WINDOW pages
    matching what was typed are ranked instead of all of them. The re-rank still scores every typed word.
    """

    def entries(clause: Clause) -> int | None:
        return None if clause.prefix else min(counts.get(token, 0) for token in clause.tokens)

    known = [(c, n) for c, n in ((c, entries(c)) for c in query.clauses) if n is None or n > 0]
    plan = ParsedQuery(raw=query.raw, normalized=query.normalized, words=query.words)
    if _entry_count() <= SMALL_INDEX:
        for clause, _n in known:
            plan.add(clause)
        return plan, None
    typed = {Clause((word,)) for word in query.words}
    countable = [(c, n) for c, n in known if n is not None]
    own = sorted(((c, n) for c, n in countable if c in typed), key=lambda item: item[1])
    others = sorted(((c, n) for c, n in countable if c not in typed), key=lambda item: item[1])
    rarest = own[0][1] if own else (others[0][1] if others else None)
    if rarest is None or rarest > CANDIDATE_BUDGET:
        # What was typed (with corrections, codes and as-you-type prefixes), not the synonyms: every
        # clause is tested on every page the window walks past.
        for clause, _n in known:
            if clause not in query.expansions:
                plan.add(clause)
        return plan, STREAM_WINDOW
    budget = 0
    for clause, n in own + others:
        if budget + n <= CANDIDATE_BUDGET:
            plan.add(clause)
            budget += n
    return plan, None


def _highlighter(terms: set[str]) -> re.Pattern | None:
    return _compiled_highlighter(tuple(sorted(terms)))


@lru_cache(maxsize=2048)  # compiling dozens of alternatives costs about a millisecond; queries repeat
def _compiled_highlighter(terms: tuple[str, ...]) -> re.Pattern | None:
    parts = []
    for term in sorted(terms, key=len, reverse=True):
        if not term:
            continue
        if term.isascii():
            # A stemmed word marks the whole word in the text ("print" marks "printing").
            words = term.split()
            parts.append(r"(?<![a-z0-9])" + r"\s+".join(map(re.escape, words)) + r"[a-z]*")
        else:
            parts.append(re.escape(term))
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _mark(text: str, pattern: re.Pattern | None) -> list[tuple[str, bool]]:
    if not pattern or not text:
        return [(text, False)] if text else []
    parts, last = [], 0
    for match in pattern.finditer(text):
        if match.start() > last:
            parts.append((text[last : match.start()], False))
        if match.end() > match.start():
            parts.append((match.group(), True))
        last = match.end()
    if last < len(text):
        parts.append((text[last:], False))
    return parts


def _truncate(text: str) -> str:
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"


_SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;:])\s|(?<=：)")
LINE_CHARS = {"cjk": 40, "latin": 80}


def first_line(summary: str) -> str:
    """One short line for a suggestion: the summary's first sentence (what the page is for), never a
    stretch cut from the middle of the body. Long sentences end at a word or character, with an ellipsis."""
    sentence = _SENTENCE_END.split((summary or "").strip(), maxsplit=1)[0].strip().rstrip("；;：:，, ")
    chinese = bool(re.search(r"[\u3400-\u9fff]", sentence))
    limit = LINE_CHARS["cjk" if chinese else "latin"]
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit] if chinese else sentence[:limit].rsplit(" ", 1)[0]
    return cut.rstrip("，、,;； ") + "…"


def _snippet(text: str, fallback: str, pattern: re.Pattern | None) -> str:
    """The stretch of the body with the most query words; else the symptom lines that match; else the
    summary. `text` is symptom lines, a blank line, then the body (services._snippet_source)."""
    symptoms, _blank, body = text.partition("\n\n") if "\n\n" in text else ("", "", text)
    spans = [m.span() for m in pattern.finditer(body)] if pattern and body else []
    if spans:
        # Two pointers over the match positions: the window start with the most whole matches inside.
        best_start, best_count, last = spans[0][0], 0, 0
        for first, (start, _end) in enumerate(spans):
            last = max(last, first)
            while last + 1 < len(spans) and spans[last + 1][1] <= start + SNIPPET_CHARS:
                last += 1
            if last - first + 1 > best_count:
                best_start, best_count = start, last - first + 1
        begin = max(0, best_start - 20)
        end = min(len(body), begin + SNIPPET_CHARS)
        return ("…" if begin > 0 else "") + body[begin:end].strip() + ("…" if end < len(body) else "")
    lines = [line for line in symptoms.split("\n") if line and pattern and pattern.search(line)]
    if lines:
        return _truncate("；".join(lines[:3]))
    return _truncate(fallback or body)


_CANDIDATE_FIELDS = (
    "pk", "kind", "key", "language", "url", "title", "summary", "codes",
    "title_tokens", "symptoms_tokens", "codes_tokens", "tags_tokens", "pinyin_tokens", "phrases",
)  # fmt: skip


def _candidates(ids) -> dict[int, dict]:
    """What re-ranking and display need of each candidate, in one query (the text only for the winners).

    Pages scheduled for later are left out here, so no result list, suggestion or fallback shows them
    before their time, and nothing has to run when the time comes.
    """
    due = Q(visible_from__isnull=True) | Q(visible_from__lte=timezone.now())
    entries = SearchEntry.objects.filter(due, pk__in=list(ids))
    return {row["pk"]: row for row in entries.values(*_CANDIDATE_FIELDS)}


@lru_cache(maxsize=4096)
def _line_words(line: str) -> frozenset[str]:
    return frozenset(stem(w) for w in line.split() if w not in STOP_WORDS)


def _exact(whole: str, words: set[str], lines: list[str]) -> float:
    """1 when the query is inside the title, 0.8 inside a symptom line; otherwise, when the query contains a
    whole line (as text, or all its words in any order), the share of the query that line covers."""
    if len(whole) < 2:
        return 0.0
    compacted = [line.replace(" ", "") for line in lines]
    if whole in compacted[0]:
        return 1.0
    if any(whole in line for line in compacted[1:]):
        return 0.8
    inside = 0
    for line, compacted_line in zip(lines, compacted, strict=True):
        if len(compacted_line) < 3 or len(compacted_line) <= inside:
            continue
        if compacted_line in whole or (" " in line and len(lw := _line_words(line)) >= 2 and lw <= words):
            inside = len(compacted_line)
    return 0.6 * min(inside / len(whole), 1.0)


SYNONYM_CREDIT = 0.75  # a word covered only through a synonym counts for less than the word itself


def typed_units(query: ParsedQuery) -> list[tuple[str, ...]]:
    """The words the merchant typed that say what the problem is (not brands or model numbers), each whole
    word with its parts. Pinyin typed with spaces that the index knows joined ("qian dao") is one word."""
    joined = "".join(query.normalized.split())
    if query.is_ascii_letters and len(query.units) > 1 and query.counts.get(joined):
        return [(joined,)]
    return [unit for unit in query.units if unit[0] not in query.ignored]


def unit_covered(query: ParsedQuery, tokens: set[str], unit: tuple[str, ...], *, pinyin=frozenset()) -> float:
    return max(covers(query, tokens, word, pinyin=pinyin) for word in unit)


def covers(query: ParsedQuery, tokens: set[str], word: str, *, pinyin: AbstractSet[str] = frozenset()) -> float:
    """How far a page's tokens cover one typed word: 1 for the word itself, its typo correction or (for
    letters: "qiandao" in "pos机qiandao") its pinyin; SYNONYM_CREDIT for a synonym standing for it."""
    if word in tokens or query.corrections.get(word) in tokens:
        return 1.0
    if pinyin and word.isascii() and word.isalpha() and (word in pinyin or query.corrections.get(word) in pinyin):
        return 1.0
    if any(all(token in tokens for token in clause) for clause in query.synonyms_of(word)):
        return SYNONYM_CREDIT
    return 0.0


def _rerank(query: ParsedQuery, matches: list[tuple[int, float]], rows: dict[int, dict]) -> list[tuple[int, float]]:
    """Re-rank the backend's best candidates with signals full text cannot see, the same on both databases:

    - the query is the title, or one of the symptom lines, or contains one ("请重新签到" in a long
      description): merchants type what the screen says, and editors list exactly that;
    - the share of the query's own words (not synonyms) found in the title, symptoms, codes and tags,
      each word weighted by how rare it is among the candidates, so the words the merchant typed count
      more than the alternatives added for them.
    The backend's score, scaled to 0-1 among the candidates, still orders everything else.
    """
    if len(matches) < 2:
        return matches
    words = typed_units(query)
    covered: dict[int, dict] = {}  # how far each candidate covers each typed word
    for pk, row in rows.items():
        strong = {*row["title_tokens"].split(), *row["symptoms_tokens"].split()}
        strong.update(row["codes_tokens"].split(), row["tags_tokens"].split())
        pinyin = set(row["pinyin_tokens"].split())
        covered[pk] = {w: unit_covered(query, strong, w, pinyin=pinyin) for w in words}
    pool = len(covered)
    # A word most candidates share ("sign", "签到") says less than a rare one ("settlement", "日切").
    weight = {w: math.log((pool + 1) / (0.5 + sum(c[w] for c in covered.values()))) for w in words}
    total = sum(weight.values())
    whole = (query.corrected or query.normalized).replace(" ", "")  # already normalized
    top = max(score for _pk, score in matches) or 1.0
    rescored = []
    for pk, score in matches:
        found = covered.get(pk, {})
        coverage = sum(weight[w] * found.get(w, 0.0) for w in words) / total if total > 0 else 0.0
        lines = ((rows.get(pk) or {}).get("phrases") or "").split("\n")
        exact = _exact(whole, set(query.words), lines)
        rescored.append((pk, max(score, 0.0) / top + RERANK_COVERAGE * coverage + RERANK_EXACT * exact))
    return sorted(rescored, key=lambda item: -item[1])


def _order(query: ParsedQuery, codes: list[str], *, language: str, limit: int) -> tuple[list, dict]:
    """Entry ids in final order, with the candidates' data: code pages first, then pages listing the code."""
    plan, window = _plan(query, query.counts)
    matches = get_backend().match(plan, language=language, limit=max(RERANK_POOL, limit), window=window)
    code_ids = []
    if codes:
        code_entries = dict(
            SearchEntry.objects.filter(kind=SearchEntry.Kind.CODE, key__in=codes, language=language).values_list(
                "key", "pk"
            )
        )
        code_ids = [code_entries[c] for c in codes if c in code_entries]
    rows = _candidates([pk for pk, _s in matches] + code_ids)
    matches = [(pk, score) for pk, score in matches if pk in rows]  # not the ones scheduled for later
    ranked = _rerank(query, matches, rows)
    if not codes:
        return ranked[:limit], rows
    first = [(pk, float("inf")) for pk in code_ids]
    rest = [(pk, score) for pk, score in ranked if pk not in code_ids]
    # Articles that list the code come straight after its page, in their own rank order.
    listing = {pk for pk, _s in rest if set(codes) & set((rows.get(pk) or {}).get("codes", "").split())}
    rest.sort(key=lambda item: item[0] not in listing)  # stable: keeps rank order within each group
    return (first + rest)[:limit], rows


def _hits(ranked: list[tuple[int, float]], rows: dict[int, dict], query: ParsedQuery) -> list[Hit]:
    texts = dict(SearchEntry.objects.filter(pk__in=[pk for pk, _s in ranked]).values_list("pk", "text"))
    pattern = _highlighter(query.highlight)
    hits = []
    for pk, score in ranked:
        row = rows.get(pk)
        if row is None:
            continue
        snippet = _snippet(texts.get(pk, ""), row["summary"], pattern)
        hits.append(
            Hit(
                kind=row["kind"],
                key=row["key"],
                language=row["language"],
                title=row["title"],
                url=row["url"],
                snippet=snippet,
                title_parts=_mark(row["title"], pattern),
                snippet_parts=_mark(snippet, pattern),
                score=score,
                line=first_line(row["summary"]),
            )
        )
    return hits


def search(
    query: str,
    *,
    language: str,
    other_language: str | None = None,
    unknown_code_page: tuple[str, str] | None = None,
    limit: int = 10,
    prefix_last: bool = True,
) -> SearchResult:
    """Pages in `language` in rank order, a response code's page first when the query names one. With
    `other_language`, a query nothing matches in `language` gets that language's pages (marked so), and
    letters typed on a Chinese site are also tried there. With `unknown_code_page` ((kind, key)), a query
    naming a code that has no page ("C1", an acquirer's own) gets that page first."""
    parsed = parse_query(query[:MAX_QUERY_LENGTH], synonyms=current_synonyms(), prefix_last=prefix_last)
    result = SearchResult(query=parsed, language=language)
    if not parsed.normalized:
        return result
    _complete(parsed, result)
    ranked, rows = _order(parsed, result.codes, language=language, limit=limit)
    # The best page's share decides `exact`; code pages' shares whether they are shown: one query for all.
    shares = _match_shares(parsed, [pk for i, (pk, _s) in enumerate(ranked) if i == 0 or _is_code(rows, pk)])
    result.match_share = shares.get(ranked[0][0], 0.0) if ranked else 0.0
    if other_language:
        ranked, rows, shares = _other_language(parsed, result, (ranked, rows, shares), other_language, limit)
    result.exact = bool(result.codes) or result.match_share >= EXACT_SHARE
    if not result.codes:
        ranked = _without_stray_codes(parsed, ranked, rows, exact=result.exact, shares=shares)
    if result.unknown_codes and unknown_code_page:
        ranked, rows = _pinned(ranked, rows, unknown_code_page, language=result.language)
    result.hits = _hits(ranked[:limit], rows, parsed)
    return result


def _pinned(ranked: list, rows: dict, page: tuple[str, str], *, language: str) -> tuple[list, dict]:
    """The ranking with `page` first (if it exists in this language)."""
    kind, key = page
    pk = SearchEntry.objects.filter(kind=kind, key=key, language=language).values_list("pk", flat=True).first()
    if pk is None:
        return ranked, rows
    return [(pk, float("inf")), *((p, s) for p, s in ranked if p != pk)], rows | _candidates([pk])


def _complete(parsed: ParsedQuery, result: SearchResult) -> None:
    """What the query needs from the index before matching: its codes, word counts and typo corrections."""
    result.codes, result.unknown_codes = _detect_codes(parsed)
    for code in result.codes:
        parsed.add(Clause((code.lower(),)))
    _count(parsed)
    result.corrections = _correct_typos(parsed, parsed.counts)
    if result.corrections:
        # "sing in" corrected is "sign in", a synonym of 重新签到. Only phrases: a corrected word is already
        # searched, and its synonyms would outweigh it in long pages ("setlement": the training page).
        parsed.corrected = " ".join(result.corrections.get(stem(w), w) for w in parsed.normalized.split())
        add_synonyms(parsed, current_synonyms(), parsed.corrected, phrases_only=True)
        _count(parsed)


def _other_language(parsed: ParsedQuery, result: SearchResult, found: tuple, other: str, limit: int) -> tuple:
    """(ranked, rows, shares), from the other language when that serves the merchant better."""
    ranked, rows, shares = found
    if not ranked:
        # Nothing in this language: a Chinese query on the English site (or the reverse) still gets
        # the pages that match, in the language they exist in.
        ranked, rows = _order(parsed, result.codes, language=other, limit=limit)
        result.other_language = bool(ranked)
        result.match_share = _match_share(parsed, ranked[0][0]) if ranked else 0.0
        return ranked, rows, {}
    if parsed.is_ascii_letters and result.language.startswith("zh") and not result.codes:
        # English words typed on the Chinese site ("sigin failed") find the English pages, shown as their
        # Chinese versions, when those cover the query at least as well.
        ranked_other, rows_other = _order(parsed, result.codes, language=other, limit=limit)
        share = _match_share(parsed, ranked_other[0][0]) if ranked_other else 0.0
        mapped, mapped_rows = _same_pages(ranked_other, rows_other, language=result.language) if share else ([], {})
        if mapped and share >= result.match_share:
            result.match_share = share
            return mapped, mapped_rows, {}
    return ranked, rows, shares


def _is_code(rows: dict, pk: int) -> bool:
    return rows[pk]["kind"] == SearchEntry.Kind.CODE


def _without_stray_codes(query: ParsedQuery, ranked: list, rows: dict, *, exact: bool, shares: dict) -> list:
    """A code page is shown for a query that names no code only when it is about the query (covers at
    least CODE_SHARE of it), and never when no page answers the query: then the closest articles are
    offered, not code pages that merely share a word with it ("accept" in "can I accept bitcoin")."""
    codes = [pk for pk, _s in ranked if _is_code(rows, pk)]
    if not codes or not exact:
        return [(pk, s) for pk, s in ranked if pk not in codes]
    missing = [pk for pk in codes if pk not in shares]
    shares = shares | (_match_shares(query, missing) if missing else {})
    return [(pk, s) for pk, s in ranked if pk not in codes or shares.get(pk, 0.0) >= CODE_SHARE]


def _count(parsed: ParsedQuery) -> None:
    tokens = {token for clause in parsed.clauses if not clause.prefix for token in clause.tokens}
    tokens.update(piece for unit in parsed.units for piece in unit)
    missing = tokens - set(parsed.counts)
    if missing:
        parsed.counts |= dict(SearchTerm.objects.filter(term__in=missing).values_list("term", "entries"))


def _same_pages(ranked: list, rows: dict, *, language: str) -> tuple[list, dict]:
    """The given hits' pages in `language`, in the same order (those that exist in it)."""
    keys = [(rows[pk]["kind"], rows[pk]["key"]) for pk, _s in ranked]
    found = {
        (kind, key): pk
        for pk, kind, key in SearchEntry.objects.filter(
            language=language, key__in={key for _k, key in keys}
        ).values_list("pk", "kind", "key")
    }
    mapped = [(found[page], score) for page, (_pk, score) in zip(keys, ranked, strict=True) if page in found]
    return mapped, _candidates(pk for pk, _s in mapped)


def _match_share(query: ParsedQuery, pk: int) -> float:
    return _match_shares(query, [pk]).get(pk, 0.0)


def _match_shares(query: ParsedQuery, pks: list[int]) -> dict[int, float]:
    """How much of what was typed each page covers, in any field: each typed word weighted by how rare
    it is in the whole index, so a word no page has ("发票", "bitcoin") weighs most. Below EXACT_SHARE for
    the best page the results are only the closest pages, and say so."""
    units = typed_units(query)
    if not units or not pks:
        return {}
    entries = _entry_count()
    weight = {u: math.log((entries + 1) / (0.5 + max(query.counts.get(w, 0) for w in u))) for u in units}
    total = sum(weight.values())
    last = query.words[-1] if query.words else ""
    shares = {}
    for row in SearchEntry.objects.filter(pk__in=pks).values("pk", *TOKEN_FIELDS):
        pk = row.pop("pk")
        body = set(row.pop("body_tokens", "").split())
        tokens = set(" ".join(row.values()).split())
        share = 0.0
        for unit in units:
            # A word only the body has is mentioned there; the page is not about it.
            found = unit_covered(query, tokens, unit, pinyin=tokens) or BODY_CREDIT * unit_covered(query, body, unit)
            if not found and last in unit and query.prefix and any(t.startswith(last) for t in tokens):
                found = 1.0  # as-you-type: the last word may be unfinished
            share += weight[unit] * found
        shares[pk] = share / total
    return shares


def alternatives(result: SearchResult, *, fallback: Sequence[tuple[str, str]] = (), limit: int = 5) -> list[Hit]:
    """For a search with no results: articles matching any single character or word prefix of the query,
    else the caller's `fallback` pages ((kind, key) pairs, in that order), so nobody lands on an empty page."""
    query = result.query
    loose = ParsedQuery(raw=query.raw, normalized=query.normalized, words=query.words)
    for word in query.words:
        if has_cjk(word):
            for char in word:
                loose.add(Clause((char,), prefix=True))
        elif len(word) >= 2:
            loose.add(Clause((word[:3],), prefix=True))
    ranked = []
    if loose.clauses:
        ranked = get_backend().match(loose, language=result.language, limit=limit * 3, window=STREAM_WINDOW)
    rows = _candidates(pk for pk, _s in ranked)
    # Code pages that share a character with the query are not "close" to it.
    ranked = [(pk, s) for pk, s in ranked if rows[pk]["kind"] == SearchEntry.Kind.ARTICLE][:limit]
    if not ranked and fallback:
        wanted = Q()
        for kind, key in fallback:
            wanted |= Q(kind=kind, key=key)
        found = {
            (kind, key): pk
            for pk, kind, key in SearchEntry.objects.filter(wanted, language=result.language).values_list(
                "pk", "kind", "key"
            )
        }
        ranked = [(found[page], 0.0) for page in fallback if page in found][:limit]
        rows = _candidates(pk for pk, _s in ranked)
    return _hits(ranked, rows, query)
