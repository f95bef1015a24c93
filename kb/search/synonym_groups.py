"""Synonym groups as a query sees them: which groups a query's text says, and with which of its words.

A group is its terms (any one said means the group) and its combinations: "签到 + @fails" says the group when
"签到" and any term of the group keyed "fails" are both in the text ("签到不行", "sign on not working"), so a
failing sign-on is not spelled out once per way of failing.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from kb.search.pipeline import has_cjk, normalize, stem, without_filler
from kb.search.readings import readings

COMBINES = "+"  # between the parts of a combination
SPELLINGS = 8  # at most this many pinyin spellings of a term whose characters have several readings
_CHINESE = re.compile(r"[\u4e00-\u9fff]{2,}")
_LETTERS = re.compile(r"(?<![a-z])[a-z]{4,}(?![a-z])")
GROUP_MARK = "@"  # before a part that is another group's key


@dataclass(frozen=True)
class SynonymGroup:
    terms: tuple[str, ...]  # normalized
    key: str = ""
    # Each a tuple of parts: a normalized term, or GROUP_MARK + the key of another group.
    combinations: tuple[tuple[str, ...], ...] = ()


def combination_parts(term: str) -> tuple[str, ...]:
    """The parts of a combination as typed ("签到 + @fails" → ("签到", "@fails")), normalized; () for a plain term."""
    if COMBINES not in term:
        return ()
    parts = [part.strip() for part in term.split(COMBINES)]
    return tuple(
        GROUP_MARK + part[1:].strip() if part.startswith(GROUP_MARK) else normalize(part) for part in parts if part
    )


@lru_cache(maxsize=1024)
def spellings(term: str) -> list[str]:
    """A Chinese term's toneless pinyin, joined, with each reading of a character that has several ("重新" is
    "chongxin" and "zhongxin"): at most SPELLINGS; [] when a character is unknown or the pinyin is short."""
    table = readings()
    spelled = [""]
    for ch in term:
        found = table.get(ch)
        if not found:
            return []
        spelled = [s + r for s in spelled for r in found][:SPELLINGS]
    return [s for s in spelled if len(s) >= 4]


def _term_pattern(term: str) -> re.Pattern:
    if has_cjk(term):
        return re.compile(re.escape(term))
    # Letters and digits must not continue the word: "sign on" must not match "sign only".
    return re.compile(r"(?<![a-z0-9])" + r"\s+".join(map(re.escape, term.split())) + r"(?![a-z0-9])")


Span = tuple[int, int]


@dataclass
class Synonyms:
    groups: list[SynonymGroup]
    _patterns: list[tuple[re.Pattern, int]] = field(default_factory=list, repr=False)

    def __post_init__(self):
        self._patterns = [(_term_pattern(term), i) for i, g in enumerate(self.groups) for term in g.terms]
        # English terms stemmed as well, matched against the query's stemmed words; and without their filler
        # when two words or more are left, matched against the query without its own ("card is empty" is
        # said "customer card empty").
        self._patterns += [
            (_term_pattern(stemmed), i)
            for i, g in enumerate(self.groups)
            for term in g.terms
            if term.isascii() and (stemmed := " ".join(stem(word) for word in term.split())) != term
        ]
        self._patterns += [
            (_term_pattern(core), i)
            for i, g in enumerate(self.groups)
            for term in g.terms
            if term.isascii() and (core := without_filler(term)) != term and len(core.split()) >= 2
        ]
        self._index = {g.key: i for i, g in enumerate(self.groups) if g.key}
        # A Chinese term in pinyin, as typed without tones ("shibai", "qiandaoshibai", "qdsb"): matched against a
        # word of letters, or a whole part of letters joined; initials only whole.
        self._spoken: dict[str, int] = {}
        self._initials: dict[str, int] = {}
        for i, g in enumerate(self.groups):
            for term in g.terms:
                if _CHINESE.fullmatch(term):
                    for spoken in spellings(term):
                        self._spoken.setdefault(spoken, i)
                    if len(term) >= 3:
                        self._initials.setdefault("".join(r[0][0] for r in map(readings().get, term)), i)

    @classmethod
    def from_term_lists(cls, term_lists) -> "Synonyms":
        return cls.from_groups([("", terms) for terms in term_lists])

    @classmethod
    def from_groups(cls, groups) -> "Synonyms":
        """From (key, terms) pairs, terms as typed; a combination names other groups by key."""
        built = []
        for key, terms in groups:
            combinations = tuple(parts for parts in map(combination_parts, terms) if len(parts) >= 2)
            plain = [t for t in terms if COMBINES not in t]
            normalized = tuple(dict.fromkeys(t for t in (normalize(x) for x in plain) if t))
            if len(normalized) >= 2:
                built.append(SynonymGroup(normalized, key, combinations))
        return cls(built)

    def expand(self, normalized: str) -> list[str]:
        """Every other term of each group one of whose terms occurs in the query (both ways by construction)."""
        return list(dict.fromkeys(t for terms, _found in self.matches(normalized) for t in terms))

    def matches(self, normalized: str) -> list[tuple[tuple[str, ...], list[str]]]:
        """Per group found in the query: its terms, and which of them the query contains.

        Of two groups matching overlapping text, the longer match says what is meant: "sign on failed" is
        the failure, not the prompt to "sign on" again, nor any "fail". A group every match of which lies
        inside a longer match of another group, in some part of the text (parts are separated by " | "), is
        left out. A combination's match reaches from its first part to its last."""
        spans: dict[int, list[Span]] = {}
        for pattern, i in self._patterns:
            spans.setdefault(i, []).extend(m.span() for m in pattern.finditer(normalized))
        for span, i in self._pinyin_matches(normalized):
            spans.setdefault(i, []).append(span)
        spans = {i: sorted(set(found)) for i, found in spans.items() if found}
        plain = {i: set(found) for i, found in spans.items()}
        combined: dict[int, list[Span]] = {}  # per group, the spans of its combinations' parts
        reaches: dict[int, set[Span]] = {}  # and from each combination's first part to its last
        for i, group in enumerate(self.groups):
            for parts in group.combinations:
                if found := self._combination(parts, spans, normalized):
                    reach = (min(a for a, _b in found), max(b for _a, b in found))
                    spans.setdefault(i, []).append(reach)
                    reaches.setdefault(i, set()).add(reach)
                    combined.setdefault(i, []).extend(found)
        kept = [i for i in sorted(spans) if not _subsumed(i, spans, normalized)]
        result = []
        for i in kept:
            # What was typed for the group: its terms, and the parts of its combinations ("签到", "不行").
            reached = reaches.get(i, set()) - plain.get(i, set())
            said = sorted({*(span for span in spans[i] if span not in reached), *combined.get(i, [])})
            result.append((self.groups[i].terms, list(dict.fromkeys(normalized[a:b] for a, b in said))))
        return result

    def _pinyin_matches(self, text: str) -> list[tuple[Span, int]]:
        """Groups said in pinyin: a word of letters that is a term's pinyin, or a part all of letters whose words
        joined are ("qiandao shibai", "qian dao shi bai"), or a term's initials ("qdsb")."""
        if not self._spoken:
            return []
        found = [(m.span(), self._spoken[m.group()]) for m in _LETTERS.finditer(text) if m.group() in self._spoken]
        start = 0
        for part in text.split(" | "):
            joined = part.replace(" ", "")
            if joined.isascii() and joined.isalpha():
                group = self._spoken.get(joined, self._initials.get(joined))
                if group is not None:
                    found.append(((start, start + len(part)), group))
            start += len(part) + len(" | ")
        return found

    def _combination(self, parts: tuple[str, ...], spans: dict[int, list[Span]], text: str) -> list[Span]:
        """The spans of each part, in one part of the text (parts are separated by " | "), or [] when a part is
        missing there."""
        start = 0
        for piece in text.split(" | "):
            end = start + len(piece)
            found = [self._part(part, spans, text, start, end) for part in parts]
            if all(found):
                return [span for span in found if span]
            start = end + len(" | ")
        return []

    def _part(self, part: str, spans: dict[int, list[Span]], text: str, start: int, end: int) -> Span | None:
        if part.startswith(GROUP_MARK):
            group = self._index.get(part[1:])
            inside = [span for span in spans.get(group, []) if start <= span[0] and span[1] <= end]
            return inside[0] if group is not None and inside else None
        match = _term_pattern(part).search(text, start, end)
        return match.span() if match else None


def _subsumed(group: int, spans: dict[int, list[Span]], text: str) -> bool:
    """Whether, in some part of `text`, each of `group`'s matches lies inside a longer match of another group."""
    start = 0
    for part in text.split(" | "):
        end = start + len(part)
        own = [(a, b) for a, b in spans[group] if start <= a and b <= end]
        longer = [(a, b) for i, found in spans.items() if i != group for a, b in found if start <= a and b <= end]
        if own and all(any(a <= x and y <= b and b - a > y - x for a, b in longer) for x, y in own):
            return True
        start = end + len(" | ")
    return False
