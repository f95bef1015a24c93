"""Terminal logs as a stream: read in chunks, decoded, checked and masked block by block, written as UTF-8.

A worker never holds more than a block of a log (plus what the checks carry from one block to the next),
however large the log or its archive is. A log is read twice: once to measure it and find its encoding (a
file can stop being UTF-8 only near its end), then to check, mask and write it, so nothing is written
before the size limit and the encoding are known. The answers are those of checking the whole text at once.
"""

import codecs
import contextlib
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from infra.masking import CardNumberMasker
from tickets.logshape import LogShape, NotALog
from tickets.markup import SNIFF_BYTES, MarkupScanner

READ_BYTES = 64 * 1024
# How much decoded text the checks and masking take at once.
BLOCK_CHARS = 256 * 1024
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


class TooLarge(Exception):
    """More bytes than the limit (sizes declared in archives can lie, so the bytes are counted)."""


class Damaged(Exception):
    """The bytes could not be read: a broken archive."""


class _NotText(ValueError):
    pass


class LogSource:
    """The bytes of one log (an upload, the inside of a .gz, a .zip member), to be read as often as needed.

    `opener` returns a new binary stream from the start each time; the errors in `damage` that opening or
    reading raises become Damaged. `size` is how many bytes the latest read has counted.
    """

    def __init__(
        self, opener: Callable[[], contextlib.AbstractContextManager[IO[bytes]]], *, limit: int, damage=()
    ) -> None:
        self._open = opener
        self._limit = limit
        self._damage = tuple(damage)
        self.size = 0

    def chunks(self) -> Iterator[bytes]:
        self.size = 0
        with self._reading():
            stream = self._open()
        with stream as opened:
            while True:
                with self._reading():
                    chunk = opened.read(READ_BYTES)
                if not chunk:
                    return
                self.size += len(chunk)
                if self.size > self._limit:
                    raise TooLarge
                yield chunk

    @contextlib.contextmanager
    def _reading(self):
        try:
            yield
        except self._damage:
            raise Damaged from None


@dataclass(frozen=True)
class Encoding:
    codec: str
    bom: bytes = b""  # skipped before decoding
    wide: bool = False  # UTF-16/32: NUL bytes are normal there, only a decoded NUL means "not text"


@dataclass(frozen=True)
class LogFacts:
    head: bytes  # the first SNIFF_BYTES bytes, for libmagic
    encoding: Encoding | None  # None: not text
    size: int


def has_wide_bom(head: bytes) -> bool:
    """UTF-16 or UTF-32 with a byte-order mark, which libmagic may not call text."""
    return _candidates(head)[0].wide


def _candidates(head: bytes) -> list[Encoding]:
    # UTF-16 and UTF-32 only with a byte-order mark; without one, UTF-8 (with or without BOM) before GB18030.
    # ("utf-8-sig" is not used: its incremental decoder takes a file that is only part of a BOM for empty text.)
    wide = next((Encoding(codec, bom, wide=True) for bom, codec in _BOMS if head.startswith(bom)), None)
    if wide:
        return [wide]
    utf8 = Encoding("utf-8", codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else Encoding("utf-8")
    return [utf8, Encoding("gb18030")]


def _texts(chunks: Iterable[bytes], encoding: Encoding) -> Iterator[str]:
    """The decoded text, piece by piece; raises ValueError where the bytes are not text in that encoding.

    A NUL means the guess was wrong (masking would not see the digits): without a byte-order mark a NUL byte
    already does, with one (UTF-16/32, where NUL bytes are normal) a decoded NUL.
    """
    decoder = codecs.getincrementaldecoder(encoding.codec)()
    skip = len(encoding.bom)
    for chunk in chunks:
        if skip:
            chunk, skip = chunk[skip:], max(0, skip - len(chunk))
        if not encoding.wide and b"\x00" in chunk:
            raise _NotText
        text = decoder.decode(chunk)
        if encoding.wide and "\x00" in text:
            raise _NotText
        yield text
    yield decoder.decode(b"", final=True)


def _decodes(chunks: Iterable[bytes], encoding: Encoding) -> bool:
    try:
        for _text in _texts(chunks, encoding):
            pass
    except ValueError:
        return False
    return True


def decode_log(raw: bytes) -> str | None:
    """Decode log bytes as UTF-8 (with or without BOM), UTF-16 or UTF-32 with BOM, or GB18030; None if not
    text."""
    encoding = next((candidate for candidate in _candidates(raw) if _decodes([raw], candidate)), None)
    return None if encoding is None else raw[len(encoding.bom) :].decode(encoding.codec)


def _first(chunks: Iterator[bytes], size: int) -> bytes:
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= size:
            break
    return head


def inspect_log(source: LogSource) -> LogFacts:
    """Read the log through once for its size, first bytes and encoding (a second time if it is not UTF-8).

    Raises TooLarge or Damaged as soon as the bytes show it: those come before anything about the content.
    """
    chunks = source.chunks()
    head = _first(chunks, SNIFF_BYTES)
    first, *others = _candidates(head)
    readable = _decodes(itertools.chain([head], chunks), first)
    for _chunk in chunks:  # every byte counts towards the limit, whatever the decoding found
        pass
    size = source.size
    encoding = first if readable else next((other for other in others if _decodes(source.chunks(), other)), None)
    return LogFacts(head=head[:SNIFF_BYTES], encoding=encoding, size=size)


def _blocks(texts: Iterable[str]) -> Iterator[str]:
    pending: list[str] = []
    size = 0
    for text in texts:
        pending.append(text)
        size += len(text)
        if size >= BLOCK_CHARS:
            yield "".join(pending)
            pending, size = [], 0
    yield "".join(pending)


def write_masked_log(source: LogSource, encoding: Encoding, out: IO[bytes]) -> int | NotALog | None:
    """Check the log block by block and write it to out as UTF-8 with card numbers masked; return how many
    were masked, None if it holds something a browser or Windows would run, or NotALog when its lines are
    not shaped like a log's (out then holds part of it, to be thrown away)."""
    scanner = MarkupScanner()
    shape = LogShape()
    masker = CardNumberMasker()
    for block in _blocks(_texts(source.chunks(), encoding)):
        if scanner.feed(block):
            return None
        shape.feed(block)
        out.write(masker.feed(block).encode("utf-8"))
    if scanner.finish():
        return None
    if not_a_log := shape.finish():
        return not_a_log
    out.write(masker.finish().encode("utf-8"))
    return masker.count
