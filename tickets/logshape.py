"""Whether an uploaded text file has the shape of a log: lines of events, not a page or a program.

A denylist of dangerous markers (tickets/markup.py) is one more marker away from being passed; most of a
list of XSS payloads got through it. This asks the other question: a terminal log is lines of timestamps,
words, key=value pairs, hex and ISO 8583 field dumps. Lines of markup (HTML elements, handlers, <?php),
statements (function(…){, $var =, End Sub, @echo off, import os) and commands (Invoke-Expression,
curl … | sh) are not what a log is made of. A log may quote a few (a stack trace shows a source line, a
terminal logs the command it ran), so a file is refused only when they make more than CODE_SHARE of its
lines; with the reason, so the merchant knows what was wrong.

Fed block by block like the other checks: a line is classified when it ends, and only its first
LINE_CHARS characters are kept, so memory stays bounded however long a line is. Every pattern is searched
on one line of bounded length and none can backtrack across it more than linearly.
"""

import re
from dataclasses import dataclass

LINE_CHARS = 4096
CODE_SHARE = 0.10  # more than this share of the non-blank lines shaped like code: not a log
_HTML_ELEMENTS = (
    "a|abbr|address|animate|applet|area|article|aside|audio|b|base|basefont|bdi|bdo|bgsound|big|blink|"
    "blockquote|body|br|button|canvas|caption|center|cite|code|col|colgroup|command|data|datalist|dd|del|"
    "details|dfn|dialog|dir|div|dl|dt|em|embed|fieldset|figcaption|figure|font|footer|foreignobject|form|"
    "frame|frameset|h[1-6]|head|header|hgroup|hr|html|i|iframe|image|img|input|ins|isindex|kbd|keygen|"
    "label|layer|legend|li|link|listing|main|map|mark|marquee|math|menu|meta|meter|multicol|nav|nobr|"
    "noembed|noframes|noscript|object|ol|optgroup|option|output|p|param|picture|plaintext|pre|progress|q|"
    "rp|rt|ruby|s|samp|script|section|select|set|slot|small|source|spacer|span|strike|strong|style|"
    "summary|sup|svg|table|tbody|td|template|textarea|tfoot|th|thead|time|title|tr|track|tt|u|ul|use|var|"
    "video|wbr|xmp|xss"
)
# Each kind of line that is not a log line, with the reason the merchant is given.
_KINDS = {
    "markup": (
        # An HTML or SVG element, open or close (a browser reads "< b" as text: the name follows the "<").
        rf"</?(?:{_HTML_ELEMENTS})(?![\w-])"
        r"|<[^<>]{0,400}?\son[a-z]{3,30}\s*=|<\s*(?:\?php|\?=|%|!doctype|!\[cdata|!--)"
        r"|\bjavascript\s*:|\bvbscript\s*:"
    ),
    "script": (
        r"\bfunction\b\s*+[\w$]*+\s*+\(|\)\s*=>|\w\s*=>\s*\{|^(?:var|let|const)\s+[\w$]+\s*="
        r"|\b(?:document|window)\s*\.\s*\w|\beval\s*\(|\bnew\s+activexobject|\)\s*\{\s*$"
        r"|^(?:else|try|do|finally)\s*\{|\)\s*;\s*$|^[\w$.]+\s*\([^()]{0,400}\)\s*;?\s*$"
        r"|\$\{?\w+\}?\s*(?:[.+-]?=(?!=)|->|\[)"
        r"|^(?:private\s+|public\s+)?(?:sub|function)\s+\w+|^end\s+(?:sub|function|if|with|select)\b|^(?:dim|redim)\s+\w"
        r"|^set\s+\w+\s*=|^on\s+error\b|^if\b.{0,400}?\bthen\s*$|\bcreateobject\s*\(|\bwscript\s*\."
        r"|^@?echo\s+(?:off|on)\b|^set\s+/?\w+=|^setlocal\b|^(?:goto|call)\s+:?\w|^:\w+\s*$|^rem\s|%[a-z_]\w{2,}%"
        r"|\b(?:invoke|new|start|write|add|remove|out|convertto|convertfrom|get|set)-[a-z]{3,}\b|\biex\b"
        r"|\s-(?:encodedcommand|executionpolicy|noprofile|windowstyle)\b|\[system\.\w"
        r"|^import\s+[\w.]+\s*$|^from\s+[\w.]+\s+import\b|^def\s+\w+\s*\(|^class\s+\w+\s*[:(]"
        r"|^if\s+__name__\s*==|\b(?:os\.system|os\.popen|subprocess\.\w+|__import__|exec)\s*\("
        r"|^#!|\|\s*(?:ba|z)?sh\b|^(?:curl|wget)\s|\bchmod\s+\+x\b|^(?:export|alias)\s+\w+="
    ),
}
_LINE_KIND = re.compile(
    "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _KINDS.items()), re.IGNORECASE | re.MULTILINE
)


@dataclass(frozen=True)
class NotALog:
    """Why a text is not a log: how many of its lines are shaped like `kind` ("markup" or "script")."""

    kind: str
    lines: int
    of: int


class LogShape:
    """Feed the decoded text block by block; finish() says None for a log, else why it is not one."""

    def __init__(self) -> None:
        self._line: list[str] = []
        self._kept = 0
        self._counts = dict.fromkeys(_KINDS, 0)
        self._lines = 0

    def feed(self, text: str) -> None:
        *ended, rest = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for piece in ended:
            self._keep(piece)
            self._classify("".join(self._line))
            self._line, self._kept = [], 0
        self._keep(rest)

    def finish(self) -> NotALog | None:
        if self._kept:
            self._classify("".join(self._line))
            self._line, self._kept = [], 0
        code = sum(self._counts.values())
        if not code or code <= CODE_SHARE * self._lines:
            return None
        kind = max(self._counts, key=self._counts.get)
        return NotALog(kind=kind, lines=code, of=self._lines)

    def _keep(self, piece: str) -> None:
        room = LINE_CHARS - self._kept
        if room > 0 and piece:
            self._line.append(piece[:room])
            self._kept += min(room, len(piece))

    def _classify(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        self._lines += 1
        found = _LINE_KIND.search(line)
        if found:
            self._counts[found.lastgroup] += 1
