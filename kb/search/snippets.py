"""What a hit shows: the query's words marked in its title and snippet, the stretch of the page with most of
them, and the one-line summary of a suggestion."""

import re
from functools import lru_cache

SNIPPET_CHARS = 140
_SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;:])\s|(?<=：)")
LINE_CHARS = {"cjk": 40, "latin": 80}


def highlighter(terms: set[str]) -> re.Pattern | None:
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


def mark(text: str, pattern: re.Pattern | None) -> list[tuple[str, bool]]:
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


def snippet(text: str, fallback: str, pattern: re.Pattern | None) -> str:
    """The stretch of the body with the most query words; else the symptom lines that match; else the
    summary. `text` is symptom lines, a blank line, then the body (documents._snippet_source)."""
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
        begin = _clause_start(body, best_start)
        end = _clause_end(body, begin)
        return ("…" if begin > 0 else "") + body[begin:end].strip() + ("…" if end < len(body) else "")
    lines = [line for line in symptoms.split("\n") if line and pattern and pattern.search(line)]
    if lines:
        return _truncate("；".join(lines[:3]))
    return _truncate(fallback or body)
