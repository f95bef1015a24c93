"""Reading a stored terminal log for the agent's log viewer: one page of lines at a time, never the whole file.

Stored logs are UTF-8 text (.txt), gzip (.gz, one log) or zip (.zip, several logs); older files or hand-made
ones may still be GB18030, so the encoding is sniffed from the first bytes of each file.

A log is a merchant's upload, so it is read as hostile: in chunks, each line cut to MAX_LINE characters as
it arrives (a 48 KB .gz can hold one 48 MB line), and the patterns run on the cut lines cannot backtrack.
"""

import codecs
import gzip
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice

from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy

from tickets.models import Attachment

PAGE_LINES = 500
SNIFF_BYTES = 64 * 1024
MAX_LINE = 2000  # characters shown of one line; a log line longer than this is cut, not the page
READ_CHARS = 64 * 1024  # decoded characters read at a time
# A response code written next to what names it: "RC=55", "resp code: A0", "应答码：A0", "39域=05".
# The gap is possessive (*+, ?+): two plain \s* around an optional separator could split a run of spaces
# every possible way, and "RC" followed by 2,000 spaces then took seconds per line.
CODE_NEAR = re.compile(
    r"(?:\bRC|\bresp(?:onse)?[ _]?code|\bfield ?39|\bF39|39域|应答码|响应码|返回码|應答碼|響應碼)"
    r"\s*+[:=：]?+\s*+\[?+([0-9A-Z]{2})\b",
    re.IGNORECASE,
)
# English words whole, between non-letters ("failed" is marked as one word, never "fail" inside it; "ERR_NET" and
# "TIMEOUT_ERROR" still count); Chinese ones anywhere, as Chinese has no spaces between words.
ERROR_WORDS = re.compile(
    r"(?<![a-z])(?:errors?|err|fail(?:s|ed|ing|ure|ures)?|timeouts?|timed out|refused)(?![a-z])"
    r"|失败|错误|異常|异常|超时|拒绝|失敗|錯誤",
    re.I,
)
# The codec a log was read with, as an agent names it.
ENCODING_NAMES = {"utf-8-sig": "UTF-8", "gb18030": gettext_lazy("GB18030 (Chinese)")}


@dataclass
class LogLine:
    number: int
    text: str
    codes: list[str] = field(default_factory=list)
    is_error: bool = False
    cut: bool = False  # the line was longer than MAX_LINE: only its start is shown


@dataclass
class LogPage:
    members: list[str]
    member: str
    lines: list[LogLine]
    page: int
    pages: int
    matches: int  # lines matching the search (or all lines without one)
    encoding: str

    @property
    def encoding_name(self) -> str:
        return str(ENCODING_NAMES.get(self.encoding, self.encoding.upper()))


def _encoding(head: bytes) -> str:
    # A multi-byte character may be cut at the end of the sniffed block: ignore up to 3 trailing bytes.
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("utf-8")
            return "utf-8-sig"
        except UnicodeDecodeError:
            continue
    return "gb18030"


@contextmanager
def _binary(attachment: Attachment, member: str) -> Iterator[io.BufferedIOBase]:
    with default_storage.open(attachment.file, "rb") as raw:
        if attachment.file.endswith(".gz"):
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                yield stream
        elif attachment.file.endswith(".zip"):
            with zipfile.ZipFile(raw) as archive, archive.open(member) as stream:
                yield stream
        else:
            yield raw


def log_members(attachment: Attachment) -> list[str]:
    """The logs inside the file: the members of a zip, else just the attachment's own name."""
    if not attachment.file.endswith(".zip"):
        return [attachment.original_name]
    with default_storage.open(attachment.file, "rb") as raw, zipfile.ZipFile(raw) as archive:
        return [info.filename for info in archive.infolist() if not info.is_dir()]


def _lines(text: io.TextIOBase) -> Iterator[tuple[str, bool]]:
    """Each line (without its line break) cut to MAX_LINE characters, and whether it was cut; a chunk at a
    time, so a line of any length costs no more memory than a chunk."""
    shown, cut = "", False
    while chunk := text.read(READ_CHARS):
        *ended, rest = chunk.split("\n")
        for piece in ended:
            yield _kept(shown, piece, cut)
            shown, cut = "", False
        shown, cut = _kept(shown, rest, cut)
    if shown or cut:
        yield shown, cut


def _kept(shown: str, piece: str, cut: bool) -> tuple[str, bool]:
    room = MAX_LINE - len(shown)
    return shown + piece[:room], cut or len(piece) > room


def _annotate(number: int, text: str, cut: bool, known_codes: set[str]) -> LogLine:
    # Each code once per line, in the order it appears: "RC=05 ... resp 05" links 05 a single time.
    codes = list(dict.fromkeys(code.upper() for code in CODE_NEAR.findall(text) if code.upper() in known_codes))
    return LogLine(number=number, text=text, codes=codes, is_error=bool(ERROR_WORDS.search(text)), cut=cut)


def log_page(
    attachment: Attachment, *, member: str = "", page: int = 1, query: str = "", known_codes: set[str] = frozenset()
) -> LogPage:
    """Lines of one page (numbered as in the file), optionally only those containing `query`.

    The file is streamed: lines before the page are skipped, lines after it only counted. The search
    looks at what is shown of each line (its first MAX_LINE characters).
    """
    members = log_members(attachment)
    member = member if member in members else members[0]
    needle = query.casefold()
    with _binary(attachment, member) as stream:
        buffered = io.BufferedReader(stream) if not isinstance(stream, io.BufferedReader) else stream
        encoding = _encoding(buffered.peek(SNIFF_BYTES)[:SNIFF_BYTES])
        text = io.TextIOWrapper(buffered, encoding=encoding, errors="replace", newline=None)
        numbered = (
            (n, line, cut)
            for n, (line, cut) in enumerate(_lines(text), start=1)
            if not needle or needle in line.casefold()
        )
        start = (max(page, 1) - 1) * PAGE_LINES
        lines = [_annotate(n, line, cut, known_codes) for n, line, cut in islice(numbered, start, start + PAGE_LINES)]
        matches = start + len(lines) + sum(1 for _ in numbered)
    pages = max(1, -(-matches // PAGE_LINES))
    return LogPage(
        members=members,
        member=member,
        lines=lines,
        page=min(max(page, 1), pages),
        pages=pages,
        matches=matches,
        encoding=codecs.lookup(encoding).name,
    )
