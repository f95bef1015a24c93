"""Readable differences between two revisions, for the admin's compare page.

Lines are matched first; within a changed line the difference is shown word by word (Chinese character by
character, which is how a Chinese reader scans a sentence). A link is one unit: a Markdown link
`[text](url)`, a bare URL and, in the rendered text, a whole `<a>` element, so a changed link shows as
the old link struck out and the new one inserted, never as a tangle of brackets and half addresses.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from html.parser import HTMLParser

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# One token each: a Markdown link or image, a bare URL, an internal link target, a run of Latin letters or
# digits, a CJK character, a run of spaces, any other character.
_TOKEN = re.compile(
    r"!?\[[^\]\n]*\]\([^)\n]*\)"
    r"|https?://[^\s<>()]+"
    r"|(?:article|code):[A-Za-z0-9_-]+"
    r"|[A-Za-z0-9_]+(?:['’.-][A-Za-z0-9_]+)*"
    r"|[\u3400-\u9fff\uf900-\ufaff]"
    r"|\s+"
    r"|.",
    re.DOTALL,
)
CONTEXT = 2  # unchanged lines shown around each change
MAX_PAIRING = 10_000  # line comparisons spent lining up one replaced stretch
PAIR_RATIO = 0.5  # how alike two lines must be to show as one edited line rather than a deletion and an insertion


def tokens(line: str) -> list[str]:
    return _TOKEN.findall(line)


@dataclass
class Row:
    """One line of the side-by-side table. `kind` is equal, change, delete, insert or skip (elided lines)."""

    kind: str
    old_number: int | None = None
    new_number: int | None = None
    old_html: str = ""  # SafeString from inline() and _whole(); escaped text otherwise
    new_html: str = ""
    skipped: int = 0


def _cleanup(opcodes: list[tuple], a: list[str]) -> list[tuple]:
    """Fold a one-token equal stretch between two changes into the change: "换成了新卷" vs "改为了旧卷" reads
    better as one replaced phrase than as edits around a shared "了"."""
    merged: list[list] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        between = 0 < index < len(opcodes) - 1 and opcodes[index + 1][0] != "equal"
        short = tag == "equal" and i2 - i1 == 1 and not a[i1].isspace() and between
        if merged and merged[-1][0] != "equal" and (tag != "equal" or short):
            merged[-1] = ["replace", merged[-1][1], i2, merged[-1][3], j2]
        else:
            merged.append([tag, i1, i2, j1, j2])
    return [tuple(op) for op in merged]


def inline(old: list[str], new: list[str]) -> tuple[SafeString, SafeString]:
    """Both sides of one changed line as HTML, with `<del>` and `<ins>` around the differing tokens."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    left, right = [], []
    for tag, i1, i2, j1, j2 in _cleanup(matcher.get_opcodes(), old):
        before, after = escape("".join(old[i1:i2])), escape("".join(new[j1:j2]))
        if tag == "equal":
            left.append(before)
            right.append(after)
            continue
        if before:
            left.append(f"<del>{before}</del>")
        if after:
            right.append(f"<ins>{after}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308  (every piece is escaped)


def _whole(line: list[str], tag: str) -> SafeString:
    text = escape("".join(line))
    return mark_safe(f"<{tag}>{text}</{tag}>" if text else "")  # noqa: S308  (escaped)


def _similar(a: list[str], b: list[str]) -> float:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio() if matcher.real_quick_ratio() >= PAIR_RATIO and matcher.quick_ratio() >= PAIR_RATIO else 0.0


def _pairs(old: list[list[str]], new: list[list[str]]) -> list[tuple[int | None, int | None]]:
    """Line up a replaced stretch: each old line with the most similar new line after the last pair (so a
    line inserted above an edited one shows as inserted, and the edit as an edit); the rest stand alone."""
    pairs: list[tuple[int | None, int | None]] = []
    if len(old) * len(new) > MAX_PAIRING:  # a rewrite, not an edit: nothing to line up
        return [(i, None) for i in range(len(old))] + [(None, j) for j in range(len(new))]
    next_new = 0
    for i, line in enumerate(old):
        scores = [(_similar(line, new[j]), j) for j in range(next_new, len(new))]
        best = max(scores, default=(0.0, None))
        if best[0] < PAIR_RATIO:
            pairs.append((i, None))
            continue
        pairs += [(None, j) for j in range(next_new, best[1])]
        pairs.append((i, best[1]))
        next_new = best[1] + 1
    return pairs + [(None, j) for j in range(next_new, len(new))]


def _changed_block(old: list[list[str]], new: list[list[str]], i1: int, j1: int) -> list[Row]:
    rows = []
    for a, b in _pairs(old, new):
        if a is not None and b is not None:
            left, right = inline(old[a], new[b])
            rows.append(Row("change", i1 + a + 1, j1 + b + 1, left, right))
        elif a is not None:
            rows.append(Row("delete", old_number=i1 + a + 1, old_html=_whole(old[a], "del")))
        else:
            rows.append(Row("insert", new_number=j1 + b + 1, new_html=_whole(new[b], "ins")))
    return rows


def _equal_block(old: list[list[str]], i1: int, j1: int, *, first: bool, last: bool) -> list[Row]:
    def row(k: int) -> Row:
        html = escape("".join(old[k]))  # escape() returns a SafeString
        return Row("equal", i1 + k + 1, j1 + k + 1, html, html)

    keep_head = 0 if first else CONTEXT
    keep_tail = 0 if last else CONTEXT
    if len(old) <= keep_head + keep_tail + 1:
        return [row(k) for k in range(len(old))]
    head = [row(k) for k in range(keep_head)]
    tail = [row(k) for k in range(len(old) - keep_tail, len(old))]
    return [*head, Row("skip", skipped=len(old) - keep_head - keep_tail), *tail]


def diff_lines(old: list[list[str]], new: list[list[str]]) -> list[Row]:
    """Rows for two texts given as lines of tokens; unchanged stretches collapse to a "skip" row."""
    joined_old, joined_new = ["".join(line) for line in old], ["".join(line) for line in new]
    opcodes = SequenceMatcher(None, joined_old, joined_new, autojunk=False).get_opcodes()
    if all(tag == "equal" for tag, *_ in opcodes):
        return []
    rows: list[Row] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            first, last = index == 0, index == len(opcodes) - 1
            rows += _equal_block(old[i1:i2], i1, j1, first=first, last=last)
        else:
            rows += _changed_block(old[i1:i2], new[j1:j2], i1, j1)
    return rows


def value_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """Both sides of a changed field value (title, tags, symptom lines…), marked word by word."""
    return inline(tokens(old), tokens(new))


def markdown_diff(old: str, new: str) -> list[Row]:
    return diff_lines([tokens(line) for line in old.splitlines()], [tokens(line) for line in new.splitlines()])


_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "pre", "blockquote", "dt", "dd", "hr", "br", "img"}


class _RenderedText(HTMLParser):
    """What a reader sees of rendered HTML, as lines of tokens: one line per block, a link as one token."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[list[str]] = []
        self.line: list[str] = []
        self.link: list[str] | None = None
        self.href = ""

    def _break(self):
        if any(not t.isspace() for t in self.line):
            self.lines.append(self.line)
        self.line = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in _BLOCKS:
            self._break()
        if tag == "li":
            self.line.append("• ")
        elif tag in ("td", "th") and self.line:
            self.line.append(" | ")
        elif tag == "a":
            self.link, self.href = [], attributes.get("href") or ""
        elif tag == "img":
            self.line.append(f"[{attributes.get('alt') or ''}]({attributes.get('src') or ''})")

    def handle_endtag(self, tag):
        if tag == "a" and self.link is not None:
            text = " ".join("".join(self.link).split())
            self.line.append(f"{text} ⟨{self.href}⟩" if self.href else text)
            self.link = None
        elif tag in _BLOCKS:
            self._break()

    def handle_data(self, data):
        if self.link is not None:
            self.link.append(data)
        else:
            self.line += tokens(" ".join(data.split("\n")))

    def close(self):
        super().close()
        self._break()


def rendered_lines(html: str) -> list[list[str]]:
    parser = _RenderedText()
    parser.feed(html)
    parser.close()
    return parser.lines


def rendered_diff(old_html: str, new_html: str) -> list[Row]:
    return diff_lines(rendered_lines(old_html), rendered_lines(new_html))
