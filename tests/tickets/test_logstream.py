"""Logs read as a stream: decoded across read chunks, in the encoding a whole read would find, within limits."""

import contextlib
import gzip
import io
import random
import zlib

import pytest

from infra.masking import mask_card_numbers
from tickets import logstream
from tickets.logstream import Damaged, LogSource, TooLarge, decode_log, inspect_log, write_masked_log

from .conftest import CARD, CARD_MASKED


def source(data: bytes, *, limit: int = 10**9) -> LogSource:
    return LogSource(lambda: contextlib.nullcontext(io.BytesIO(data)), limit=limit)


def cleaned(data: bytes) -> tuple[str, int | None]:
    """What the stream writes for data, and the count (None: refused as markup)."""
    log = source(data)
    facts = inspect_log(log)
    assert facts.encoding is not None
    out = io.BytesIO()
    count = write_masked_log(log, facts.encoding, out)
    return out.getvalue().decode("utf-8"), count


@pytest.fixture
def small(monkeypatch):
    """Reads of a few bytes and blocks of a few characters, so every edge case lands on an edge."""

    def set_sizes(*, read: int = 3, block: int = 5):
        monkeypatch.setattr(logstream, "READ_BYTES", read)
        monkeypatch.setattr(logstream, "BLOCK_CHARS", block)

    set_sizes()
    return set_sizes


TEXT = "签到成功 €5 𝄞 ok\n"


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""), ("utf-16-le", b"\xff\xfe"),
     ("utf-16-be", b"\xfe\xff"), ("utf-32-le", b"\xff\xfe\x00\x00"), ("utf-32-be", b"\x00\x00\xfe\xff")],
)  # fmt: skip
@pytest.mark.parametrize("read", [1, 2, 3, 5])
def test_a_character_split_between_reads_is_decoded_whole(small, encoding, bom, read):
    small(read=read)
    assert cleaned(bom + TEXT.encode(encoding)) == (TEXT, 0)


def test_a_gb18030_log_that_is_valid_utf8_for_its_first_blocks_is_decoded_as_gb18030(small):
    small(read=64, block=100)
    text = f"10:00 SIGN ON PAN={CARD}\n" * 200 + "签到成功\n"
    data = text.encode("gb18030")
    assert data.index(b"\xc7") > 4000  # the first byte that is not UTF-8 comes long after the first read and block

    assert inspect_log(source(data)).encoding.codec == "gb18030"
    assert cleaned(data) == (mask_card_numbers(text)[0], 200)


def test_a_utf16_log_with_a_byte_order_mark_is_masked_and_loses_the_mark(small):
    text = f"卡号 {CARD}\r\n"
    assert cleaned(b"\xff\xfe" + text.encode("utf-16-le")) == (f"卡号 {CARD_MASKED}\r\n", 1)


def test_crlf_and_cr_line_endings_are_kept_and_a_card_broken_over_them_is_masked(small):
    text = "PAN 4111\r\n1111\r1111\r\n1111\rnext\r\n"
    assert cleaned(text.encode()) == (f"PAN {CARD_MASKED}\rnext\r\n", 1)


def test_a_file_that_is_only_part_of_a_utf8_bom_is_read_as_gb18030_like_a_whole_read():
    # The incremental "utf-8-sig" decoder would call it empty text.
    assert decode_log(b"\xef\xbb") == b"\xef\xbb".decode("gb18030")
    assert inspect_log(source(b"\xef\xbb")).encoding.codec == "gb18030"


@pytest.mark.parametrize(
    "data",
    [b"ok\n" * 5000 + b"\x00", b"\xff\xfe" + "ok\n\x00".encode("utf-16-le"), b"ok\n" * 5000 + b"\xff\xff"],
    ids=["NUL byte late", "decoded NUL in UTF-16", "neither UTF-8 nor GB18030 at the end"],
)
def test_what_a_whole_read_calls_not_text_is_not_text(small, data):
    small(read=64)
    assert decode_log(data) is None
    assert inspect_log(source(data)).encoding is None


@pytest.mark.parametrize("read", [7, 64 * 1024])
def test_the_size_limit_is_exact(small, read):
    small(read=read)
    assert inspect_log(source(b"x" * 100, limit=100)).size == 100
    with pytest.raises(TooLarge):
        inspect_log(source(b"x" * 101, limit=100))


def test_a_broken_archive_stream_is_damaged():
    broken = gzip.compress(b"ok\n" * 1000)[:-12]
    log = LogSource(
        lambda: gzip.GzipFile(fileobj=io.BytesIO(broken)), limit=10**6, damage=(OSError, EOFError, zlib.error)
    )
    with pytest.raises(Damaged):
        inspect_log(log)


def test_markup_at_the_end_of_a_long_log_is_refused(small):
    assert cleaned(b"ok\n" * 100 + b"<scr ipt>")[1] == 0
    assert cleaned(b"ok\n" * 100 + b"<\n  script>")[1] is None


PIECES = [b"\xef\xbb\xbf", b"\xff", b"\xfe", b"\x00", b"a", b"\n", b"\r", "é".encode(), "签".encode(),
          "签".encode("gb18030"), "签".encode("utf-16-le"), b"\x80", b"\x81\x30\x81\x30", "𝄞".encode()]  # fmt: skip


def test_streamed_decoding_agrees_with_a_whole_read_of_random_bytes(monkeypatch):
    rng = random.Random(20260501)
    monkeypatch.setattr(logstream, "BLOCK_CHARS", 3)
    for _ in range(3000):
        data = b"".join(rng.choice(PIECES) for _ in range(rng.randint(0, 10)))
        monkeypatch.setattr(logstream, "READ_BYTES", rng.choice([1, 2, 3, 64]))
        whole = decode_log(data)
        facts = inspect_log(source(data))
        if whole is None:
            assert facts.encoding is None, data
            continue
        out = io.BytesIO()
        assert write_masked_log(source(data), facts.encoding, out) == 0, data
        assert out.getvalue().decode("utf-8") == whole, data
