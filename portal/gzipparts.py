"""A gzip body made of parts compressed once, ahead of time, and values that change on every response.

Why: a cached page is the same for every visitor except its CSRF token (and, on the ticket form, a
one-time key and the time). Compressing the whole page again for each response was the largest single
cost of serving it from the cache. Here each fixed part is compressed once, when the page is stored, into
raw deflate that ends on a byte boundary (sync flush), so the parts can be joined with the changing
values between them, written as stored (uncompressed) blocks, into one valid deflate stream.

A part may still refer back to the parts before it (the page's head, its navigation), which keeps the
page as small as compressing it whole: its compressor is primed with what precedes it, the values'
places filled with 0xFF bytes for their known lengths. 0xFF never occurs in UTF-8, so no reference can
land on a value, and the distances hold because each value has exactly that length (a response whose
values differ in length is compressed whole instead).

The gzip trailer's CRC-32 covers the whole body, values included. CRC-32 is affine in the CRC it starts
from, so for each part the 32 columns of that map are worked out once, and a response's CRC costs a few
XORs per part: the page's plain bytes need not be kept, and an entry is about the size of its gzip body.

It also closes BREACH for the values outright: a secret in a stored block is never compressed together
with anything, so the response's length tells nothing about it. The random-length name field Django's
GZipMiddleware adds is kept all the same, as the rest of the site has it.
"""

import secrets
import struct
import zlib
from dataclasses import dataclass

STORED_BLOCK_MAX = 0xFFFF
WINDOW = 1 << zlib.MAX_WBITS
# Never part of UTF-8 text: a reference into the primed history can only land on the page's own bytes.
FILLER = b"\xff"
# An empty last block: ends the stream after the parts.
_LAST_BLOCK = zlib.compressobj(wbits=-zlib.MAX_WBITS).flush()


@dataclass(frozen=True)
class Parts:
    """A page's fixed parts, compressed, with a value of `lengths[i]` bytes to go after part i."""

    deflated: tuple[bytes, ...]
    lengths: tuple[int, ...]
    # Per part: crc32(part, c) == start ^ (XOR of columns[bit] for each bit set in c).
    crcs: tuple[tuple[int, tuple[int, ...]], ...]
    size: int
    # False when a part holds the filler byte itself (not UTF-8): each part then stands alone.
    primed: bool = True

    def gzipped(self, values: list[bytes]) -> bytes:
        """The gzip body with these values in their places (one fewer value than parts)."""
        if tuple(map(len, values)) != self.lengths:
            return compressed(self.plain(values))
        pieces, crc = [_header(), self.deflated[0]], self.crcs[0][0]
        for value, deflated, (start, columns) in zip(values, self.deflated[1:], self.crcs[1:], strict=True):
            pieces += (_stored(value), deflated)
            crc = _advanced(zlib.crc32(value, crc), start, columns)
        size = self.size + sum(self.lengths)
        pieces += (_LAST_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(pieces)

    def plain(self, values: list[bytes]) -> bytes:
        """The uncompressed body, for the rare client without gzip."""
        pieces = []
        for part, value in zip(self._parts(), [*values, b""], strict=True):
            pieces += (part, value)
        return b"".join(pieces)

    def _parts(self) -> list[bytes]:
        parts, before = [], b""
        for index, deflated in enumerate(self.deflated):
            primed = {"zdict": before[-WINDOW:]} if before and self.primed else {}
            part = zlib.decompressobj(-zlib.MAX_WBITS, **primed).decompress(deflated)
            parts.append(part)
            if index < len(self.lengths):
                before += part + FILLER * self.lengths[index]
        return parts


def make(parts: list[bytes], lengths: list[int]) -> Parts:
    """Compress the fixed parts of a page whose values, in order, have these lengths."""
    deflated, before = [], b""
    prime = not any(FILLER in part for part in parts)
    for index, part in enumerate(parts):
        primed = {"zdict": before[-WINDOW:]} if before and prime else {}
        compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 9, **primed)
        deflated.append(compressor.compress(part) + compressor.flush(zlib.Z_SYNC_FLUSH))
        if index < len(lengths):
            before += part + FILLER * lengths[index]
    return Parts(
        deflated=tuple(deflated),
        lengths=tuple(lengths),
        crcs=tuple(_crc_map(part) for part in parts),
        size=sum(map(len, parts)),
        primed=prime,
    )


def _crc_map(part: bytes) -> tuple[int, tuple[int, ...]]:
    start = zlib.crc32(part, 0)
    return start, tuple(zlib.crc32(part, 1 << bit) ^ start for bit in range(32))


def _advanced(crc: int, start: int, columns: tuple[int, ...]) -> int:
    for column in columns:
        if crc & 1:
            start ^= column
        crc >>= 1
        if not crc:
            break
    return start


def _stored(value: bytes) -> bytes:
    blocks = []
    for begin in range(0, len(value), STORED_BLOCK_MAX):
        chunk = value[begin : begin + STORED_BLOCK_MAX]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


def _header() -> bytes:
    # ID, deflate, FNAME set, no time, no extra flags, OS unknown; then a name of random length (BREACH).
    return b"\x1f\x8b\x08\x08\x00\x00\x00\x00\x00\xff" + b"a" * secrets.randbelow(100) + b"\x00"


def compressed(body: bytes) -> bytes:
    """The whole body compressed at once (level 1: the response is made for one visitor only)."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
    deflate = compressor.compress(body) + compressor.flush()
    return _header() + deflate + struct.pack("<II", zlib.crc32(body), len(body) & 0xFFFFFFFF)
