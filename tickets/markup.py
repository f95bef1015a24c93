"""Whether an uploaded text file is really a web page, markup or a script.

Decided on the decoded text, so the encoding (UTF-16, UTF-32, GB18030) cannot hide it, and block by block, so
a long log never has to be held whole: MarkupScanner gives the answer that searching all of the text at once
with MARKUP_OR_SCRIPT (plus libmagic on its first SNIFF_BYTES characters) would give.
"""

import re

import magic

SNIFF_BYTES = 8192
# Text that browsers or other programs would run or render, refused even though it is readable text.
NEVER_TEXT = {
    "text/html",
    "text/xml",
    "application/xml",
    "image/svg+xml",
    "application/pdf",
    "application/postscript",
    "text/rtf",
    "text/javascript",
    "application/javascript",
    "text/x-shellscript",
    "text/x-php",
    "text/x-python",
    "text/x-perl",
    "text/x-msdos-batch",
}

_FUNCTION_HEAD = r"\bfunction\s*\w*\s*\("
_FUNCTION = (("function",), _FUNCTION_HEAD + r"[^)]*\)\s*\{")
# What makes a text file something a program runs or renders when an agent opens it, each with the pieces
# of text (lower case) one of which every match contains: a block holding none of them needs no search.
_TELLTALES = (
    (
        ("<",),
        r"<\s*(?:!doctype|html|head|body|script|svg|iframe|frame|object|embed|meta|link|style|form|img|a\s|"
        r"math|xml|xsl|\?xml|\?php|%)",
    ),
    (("#!",), r"\A\s*#!"),
    (("javascript",), r"\bjavascript\s*:"),
    (("vbscript",), r"\bvbscript\s*:"),
    (("wscript",), r"\bWScript\s*\."),
    (("createobject",), r"\bCreateObject\s*\("),
    (("execute",), r"\bExecute(?:Global)?\s*\("),
    (("document",), r"\bdocument\s*\.\s*(?:write|cookie)"),
    (("eval",), r"\beval\s*\("),
    (("activexobject",), r"\bnew\s+ActiveXObject"),
    _FUNCTION,
    (("=>",), r"=>\s*\{"),
    (("@echo",), r"^\s*@echo\s+off"),
    (("set", "dim"), r"^\s*(?:Set|Dim)\s+\w+\s*(?:=|As\b)"),
    (("powershell",), r"\bpowershell(?:\.exe)?\b"),
    (("invoke-expression",), r"\bInvoke-Expression\b"),
)
MARKUP_OR_SCRIPT = re.compile("|".join(pattern for _clues, pattern in _TELLTALES), re.IGNORECASE | re.MULTILINE)
# What a block is searched for: "function …(…) {" is followed as a state instead (see MarkupScanner).
_BOUNDED = tuple(telltale for telltale in _TELLTALES if telltale is not _FUNCTION)
_BOUNDED_SEARCH = re.compile("|".join(pattern for _clues, pattern in _BOUNDED), re.IGNORECASE | re.MULTILINE)
_BOUNDED_CLUES = tuple(clue for clues, _pattern in _BOUNDED for clue in clues)
# The only characters that IGNORECASE matches to an ASCII letter of a clue but str.lower() does not turn into
# it (tests/tickets/test_markup.py checks every code point); where one occurs, the clues prove nothing.
_UNFOLDED = ("\u0130", "\u0131", "\u017f")
_FUNCTION_OPENER = re.compile(_FUNCTION_HEAD, re.IGNORECASE)
_SPACES = re.compile(r"\s*")
_NOT_WORD = re.compile(r"\W")
_LONG_RUN = re.compile(r"(\s{64,})|\w{64,}")
# Longer than any match once long runs are squeezed (the longest, "Set x As", stays under 300 characters),
# with room for the runs cut in two at the ends of a tail.
_REACH = 1024


def squeeze(text: str) -> str:
    """The text as the patterns see it, with every run of 64 or more whitespace or word characters shortened.

    The patterns only ask of a whitespace run whether it holds a line break (for ^), and of a word whether it
    is one of theirs, starts with one (at most 13 letters) or ends in "as"; a squeezed run answers the same, so
    the squeezed text matches exactly when the text does, and what is carried from block to block stays short.
    """
    return _LONG_RUN.sub(_shorten, text)


def _shorten(run: re.Match) -> str:
    if spaces := run.group(1):
        return "\n" if "\n" in spaces else " "
    return run.group()[:16] + run.group()[-16:]


def _tail(text: str) -> tuple[str, bool]:
    """The end of text to search again with the next block (squeezed, at least _REACH characters unless it
    is all of text), and whether anything was left off its front."""
    size = _REACH
    while size < len(text):
        tail = squeeze(text[-size:])
        if len(tail) >= _REACH:
            return tail, True
        size *= 4
    return squeeze(text), False


class _Clues:
    """Which clues a text may hold: all of them where an unfolded character occurs."""

    def __init__(self, text: str) -> None:
        self._lowered = None if any(char in text for char in _UNFOLDED) else text.lower()

    def any(self, clues) -> bool:
        return self._lowered is None or any(clue in self._lowered for clue in clues)


class MarkupScanner:
    """Feed the decoded text block by block; `found` (also returned by feed and finish) says whether it is
    markup or a script.

    Each block is searched together with the squeezed end of what came before, so a match that started there
    is seen whole. Only "function …(…) {" can be longer than any carried end, its "[^)]*" spanning any
    distance (and making a search quadratic): it is followed as a state instead (an opener seen, then whether
    the first ")" after it is followed by "{"). A block is searched only up to its last non-word character,
    because whether a \\b follows a word depends on what comes next.
    """

    def __init__(self) -> None:
        self.found = False
        self._head: list[str] | None = []
        self._head_size = 0
        self._word = ""  # the trailing word characters, held back for the next block
        self._carry = ""
        self._cut = False  # the carry no longer starts at the beginning of the text: its first character
        # is only there for \b and ^ to look at
        self._open = False  # a "function …(" came and the first ")" after it has not
        self._closing = False  # that ")" came, and so far only whitespace after it

    def feed(self, text: str) -> bool:
        if not self.found:
            self._sniff(text, final=False)
            text = self._word + text
            found = _NOT_WORD.search(text[::-1])
            end = len(text) - found.start() if found else 0
            self._word = squeeze(text[end:])
            self._search(text[:end], final=False)
        return self.found

    def finish(self) -> bool:
        if not self.found:
            self._search(self._word, final=True)
            self._sniff("", final=True)
        return self.found

    def _sniff(self, text: str, *, final: bool) -> None:
        # libmagic, on the first characters as UTF-8: a UTF-16 or GB18030 page is then recognised too.
        if self._head is None:
            return
        self._head.append(text[: SNIFF_BYTES - self._head_size])
        self._head_size += len(self._head[-1])
        if self._head_size >= SNIFF_BYTES or final:
            head, self._head = "".join(self._head), None
            self.found = self.found or magic.from_buffer(head.encode("utf-8"), mime=True) in NEVER_TEXT

    def _search(self, block: str, *, final: bool) -> None:
        clues = _Clues(self._carry + block)
        searching, openers = clues.any(_BOUNDED_CLUES), clues.any(_FUNCTION[0])
        # Squeezed, the block is also searched in linear time: over a long whitespace run ^\s* and
        # function\s*\w*\s*\( would backtrack quadratically. Without a search it need not be.
        window = self._carry + (squeeze(block) if searching or openers else block)
        first = 1 if self._cut else 0
        if searching and _BOUNDED_SEARCH.search(window, first):
            self.found = True
            return
        self._follow_functions(window, len(self._carry), first, openers=openers, final=final)
        self._carry, cut = _tail(window)
        self._cut = self._cut or cut

    def _follow_functions(self, window: str, at: int, first: int, *, openers: bool, final: bool) -> None:
        """Advance the function state over window[at:], the part not followed yet (`openers`: whether the
        window may hold a "function …(" at all)."""
        if self._closing:
            at = _SPACES.match(window, at).end()
            if at == len(window) and not final:
                return
            self._closing = False
            self.found = at < len(window) and window[at] == "{"
        while not self.found:
            if self._open:
                close = window.find(")", at)
                if close < 0:
                    return
                self._open = False
                at = _SPACES.match(window, close + 1).end()
                if at == len(window):
                    self._closing = not final
                    return
                self.found = window[at] == "{"
            else:
                opener = _next_opener(window, at, first) if openers else None
                if opener is None:
                    return
                self._open = True
                at = opener.end()


def _next_opener(window: str, at: int, first: int) -> re.Match | None:
    """The first "function …(" whose "(" is at or after `at`; at the start of a block it may have begun in
    the carried end, within _REACH."""
    position = max(first, at - _REACH)
    while (opener := _FUNCTION_OPENER.search(window, position)) and opener.end() <= at:
        position = opener.end()
    return opener
