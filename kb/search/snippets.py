"""What a hit shows: the query's words marked in its title and snippet, the stretch of the page with most of
them, and the one-line summary of a suggestion.

What is marked (`marks_for`), so that a merchant sees why a page came back and is never misled:
- what was typed: its words and its phrases, a typo's correction, the Chinese a pinyin word spells;
- lighter ("related"), the synonyms standing for a typed word, because the page says that instead
  ("结算" for "结账");
- never a lone Chinese character ("结" inside "冻结"), a bare complement ("不了" inside "解决不了"), or a short
  English function word ("not", "on"): they are everywhere. Inside a typed phrase they are marked with it
  ("not registered"), and a synonym standing only for them ("失败" for the "不了" of "结不了账") not at all.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from kb.search.pipeline import STOP_WORDS, Clause, ParsedQuery, has_cjk, segment, without_filler
from kb.search.readings import readings, syllables

SNIPPET_CHARS = 140
_SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;:])\s|(?<=：)")
LINE_CHARS = {"cjk": 40, "latin": 80}
TYPED, RELATED = "typed", "related"
# When choosing the stretch of the body, synonyms only break ties: all the different ones a window holds never
# outweigh one typed word.
RELATED_WEIGHT = 0.01
PHRASE_WORDS = 5  # the longest run of typed English words marked as one phrase

# Words that say how, not what: marked only inside a longer typed phrase.
FUNCTION_WORDS = frozenset(
    """
    no not non nor on off in out up down over one once can cannot could will won get got go any all some
    不了 不行 不上 不到 不进 不成 不动 不能 不会 不是 不好 不出 不住 不起 不去 不来 不用 不要 不对 没有 没法 没用
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


def markable(term: str) -> bool:
    """Whether a term is marked on its own: not a lone Chinese character, a complement or a function word."""
    words = term.split()
    if len(words) > 1:
        return any(markable(word) for word in words)
    if term in FUNCTION_WORDS or term in STOP_WORDS:
        return False
    if has_cjk(term):
        return len(term) >= 2
    return len(term) >= 3 or (len(term) == 2 and any(ch.isdigit() for ch in term))


@dataclass(frozen=True)
class Marks:
    typed: frozenset[str]
    related: frozenset[str]
    pinyin: frozenset[str] = frozenset()  # ASCII words that may be pinyin: their Chinese is marked as typed


def marks_for(query: ParsedQuery) -> Marks:
    """What to mark for a parsed query, by the rules in the module's docstring."""
    typed = {word for word in query.words if markable(word)}
    for corrected in query.corrections.values():
        typed |= {word for word in corrected.split() if markable(word)}
    typed |= _typed_phrases(query)
    related = set()
    for term in query.highlight - typed:
        if term in query.words or not markable(term):
            continue
        stood = query.stands_for.get(Clause(tuple(segment(term, fine=False))), set())
        if any(markable(word) for word in stood):
            related.add(term)
    spoken = {w for w in query.words if w.isascii() and w.isalpha()}
    spoken |= {w for w in query.corrections.values() if w.isalpha()}
    if query.is_ascii_letters:
        spoken.add(query.normalized.replace(" ", ""))
    spoken = {word for word in spoken if len(word) >= 4 and _syllables(word)}
    return Marks(frozenset(typed), frozenset(related - typed), frozenset(spoken))


def _typed_phrases(query: ParsedQuery) -> set[str]:
    """The typed text itself when Chinese ("结不了账"), and runs of typed English words that hold a word worth
    marking and neither start nor end with filler ("not registered", "on the card"), as typed and corrected."""
    phrases = set()
    for text in dict.fromkeys(t for t in (query.normalized, query.corrected) if t):
        if has_cjk(text):
            phrases |= {p for p in (text.replace(" ", ""), without_filler(text)) if len(p) >= 2 and markable(p)}
            continue
        words = text.split()
        for size in range(2, min(PHRASE_WORDS, len(words)) + 1):
            for start in range(len(words) - size + 1):
                run = words[start : start + size]
                if run[0] not in STOP_WORDS and markable(run[-1]):
                    phrases.add(" ".join(run))
    return phrases


# --- Pinyin: the Chinese a typed pinyin word spells ------------------------------------------------


@lru_cache(maxsize=4096)
def _syllables(word: str) -> bool:
    """Whether the word is pinyin syllables run together ("qiandao"; not "card" nor "dead"): only those are
    looked for in the Chinese text."""
    return not word or any(word.startswith(s) and _syllables(word[len(s) :]) for s in syllables() if len(s) <= 6)


def spelled(text: str, spoken: frozenset[str]) -> set[str]:
    """The runs of two or more Chinese characters in `text` whose toneless pinyin is one of `spoken`
    ("qiandao" → "签到"), any reading of a character with several counting."""
    if not spoken or not has_cjk(text):
        return set()
    table = readings()
    found = set()
    for start, char in enumerate(text):
        if char not in table:
            continue
        for word in spoken:
            if (end := _spells(text, start, word, 0, table)) and end - start >= 2:
                found.add(text[start:end])
    return found


def _spells(text: str, at: int, word: str, done: int, table: dict) -> int:
    """Where the characters from `at` finish spelling word[done:], or 0."""
    if done == len(word):
        return at
    if at >= len(text):
        return 0
    for reading in table.get(text[at], ()):
        if word.startswith(reading, done) and (end := _spells(text, at + 1, word, done + len(reading), table)):
            return end
    return 0


# --- Marking -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Highlighter:
    pattern: re.Pattern  # every term, longest first, without groups (dozens of groups make matching 2x slower)
    terms: tuple[tuple[re.Pattern, str], ...]  # each term alone, in the same order, with TYPED or RELATED
    _found: dict[str, tuple[int, str]] = field(default_factory=dict, compare=False, repr=False)

    def finditer(self, text: str) -> Iterator[re.Match]:
        return self.pattern.finditer(text)

    def which(self, match: re.Match) -> tuple[int, str]:
        """The matched term (its index) and how it is marked; remembered per text matched."""
        text = match.group().lower()
        if text not in self._found:
            found = ((i, kind) for i, (term, kind) in enumerate(self.terms) if term.fullmatch(text))
            self._found[text] = next(found, (0, TYPED))
        return self._found[text]

    def kind(self, match: re.Match) -> str:
        return self.which(match)[1]


def highlighter(typed: Iterable[str], related: Iterable[str] = ()) -> Highlighter | None:
    words = set(typed)
    return _compiled_highlighter(tuple(sorted(words)), tuple(sorted(set(related) - words)))


def _ascii_word(word: str) -> str:
    # A stemmed word marks its inflections ("print" marks "printing", "settl" "settlement"), nothing longer:
    # "card" is not "cardholder". Short words only take a plural.
    if len(word) < 4:
        return re.escape(word) + "s?"
    if word.endswith("y"):
        return re.escape(word[:-1]) + "(?:y|ies|ied)"
    return re.escape(word) + "(?:e|ie)?(?:s|d|r|rs|ing|ment|ments)?"


@lru_cache(maxsize=2048)  # compiling dozens of alternatives costs about a millisecond; queries repeat
def _compiled_highlighter(typed: tuple[str, ...], related: tuple[str, ...]) -> Highlighter | None:
    terms = [(term, TYPED) for term in typed if term] + [(term, RELATED) for term in related if term]
    # Longest first: the whole phrase wins over its words wherever both match.
    terms.sort(key=lambda item: len(item[0]), reverse=True)
    parts = [_term_pattern(term) for term, _kind in terms]
    if not parts:
        return None
    alone = tuple((re.compile(part, re.IGNORECASE), kind) for part, (_term, kind) in zip(parts, terms, strict=True))
    return Highlighter(re.compile("|".join(parts), re.IGNORECASE), alone)


def _term_pattern(term: str) -> str:
    if term.isascii():
        return r"(?<![a-z0-9])" + r"\s+".join(map(_ascii_word, term.split())) + r"(?![a-z0-9])"
    return re.escape(term)


def hit_highlighter(marks: Marks, *texts: str) -> Highlighter | None:
    """The highlighter for one hit: the query's marks, with the Chinese its pinyin spells in the hit's texts."""
    typed = marks.typed | set().union(*(spelled(text, marks.pinyin) for text in texts)) if marks.pinyin else marks.typed
    return highlighter(typed, marks.related)


def mark(text: str, pattern: Highlighter | None) -> list[tuple[str, str]]:
    """The text in parts, each with how it is marked: "" (not), TYPED or RELATED."""
    if not pattern or not text:
        return [(text, "")] if text else []
    parts, last = [], 0
    for match in pattern.finditer(text):
        if match.start() > last:
            parts.append((text[last : match.start()], ""))
        if match.end() > match.start():
            parts.append((match.group(), pattern.kind(match)))
        last = match.end()
    if last < len(text):
        parts.append((text[last:], ""))
    return parts


_SENTENCE_BREAK = re.compile(r"[。！？；]|[.!?;:](?=\s)|：")
_CLAUSE_BREAK = re.compile(r"[，、,]")
LEAD_CHARS = 60  # at most this much of the sentence before the first match is shown


def _clause_start(body: str, match: int) -> int:
    """Where a snippet around `match` starts: the start of its sentence, or when that is far before the match,
    of its clause; never inside a word or sentence (a stretch cut off mid-sentence reads as garbled)."""
    floor = max(0, match - LEAD_CHARS)
    for pattern in (_SENTENCE_BREAK, _CLAUSE_BREAK):
        breaks = [m.end() for m in pattern.finditer(body, floor, match)]
        if breaks:
            return _skip_space(body, breaks[-1])
    if floor == 0:
        return 0
    # No boundary near: start at the match's own word.
    start = match
    while start > 0 and body[start - 1].isalnum() and body[start - 1].isascii():
        start -= 1
    return start


def _skip_space(body: str, at: int) -> int:
    while at < len(body) and body[at].isspace():
        at += 1
    return at


def _clause_end(body: str, begin: int) -> int:
    """Where a snippet starting at `begin` ends: SNIPPET_CHARS on, back to the last sentence or clause end
    in its second half, else to a word boundary."""
    end = min(len(body), begin + SNIPPET_CHARS)
    if end == len(body):
        return end
    half = begin + SNIPPET_CHARS // 2
    for pattern in (_SENTENCE_BREAK, _CLAUSE_BREAK):
        breaks = [m.end() for m in pattern.finditer(body, half, end)]
        if breaks:
            return breaks[-1]
    while end > half and body[end - 1].isascii() and body[end - 1].isalnum() and body[end].isalnum():
        end -= 1
    return end


def _truncate(text: str) -> str:
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"


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


def snippet(text: str, fallback: str, pattern: Highlighter | None) -> str:
    """The sentence of the body (or its clause, when the sentence is long) that holds most of the typed words,
    then of their synonyms; else (no typed word in the body) the summary. Never the symptom lines: a list of
    symptoms ("old terminal stopped working；is a free POS machine safe") says less than the summary. `text`
    is symptom lines, a blank line, then the body (documents._snippet_source)."""
    _symptoms, _blank, body = text.partition("\n\n") if "\n\n" in text else ("", "", text)
    found = pattern.finditer(body) if pattern and body else ()
    spans = [(m.start(), m.end(), *pattern.which(m)) for m in found if pattern]
    if not any(kind == TYPED for _s, _e, _term, kind in spans):
        # Only synonyms in the body ("结算单" for "结账"): a stretch chosen by them says less than the summary.
        return _truncate(fallback or body)
    # The first window holding the most different typed terms (a term said three times in the page's footer
    # does not beat the sentence that says it once, near the top), synonyms breaking ties.
    best_start, best_score = spans[0][0], -1.0
    for first, (start, _end, _term, _kind) in enumerate(spans):
        inside = set()
        for _s, end, term, kind in spans[first:]:  # in text order: stop at the first past the window
            if end > start + SNIPPET_CHARS:
                break
            inside.add((term, kind))
        score = sum(1.0 if kind == TYPED else RELATED_WEIGHT for _term, kind in inside)
        if score > best_score:
            best_start, best_score = start, score
    begin = _clause_start(body, best_start)
    end = _clause_end(body, begin)
    return ("…" if begin > 0 else "") + body[begin:end].strip() + ("…" if end < len(body) else "")
