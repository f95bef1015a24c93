"""A cached page's gzip body is stitched from parts compressed once and values made per response."""

import gzip
import random
import zlib

from portal import gzipparts


def _joined(parts: list[bytes], values: list[bytes]) -> bytes:
    pieces = [parts[0]]
    for value, part in zip(values, parts[1:], strict=True):
        pieces += (value, part)
    return b"".join(pieces)


def _pieces(rng: random.Random, count: int) -> tuple[list[bytes], list[bytes]]:
    words = ['<div class="step">', "请重新签到", "签到失败", "terminal", "</div>\n", "终端", "A0", " "]
    parts = ["".join(rng.choice(words) for _ in range(rng.randrange(0, 400))).encode() for _ in range(count + 1)]
    values = [bytes(rng.choice(b"abcXYZ0189") for _ in range(rng.choice([0, 1, 16, 32, 64]))) for _ in range(count)]
    return parts, values


def test_the_stitched_body_is_the_page_with_its_values_for_any_parts():
    rng = random.Random(20261202)
    for _ in range(300):
        parts, values = _pieces(rng, rng.randrange(0, 5))
        made = gzipparts.make(parts, [len(value) for value in values])
        assert gzip.decompress(made.gzipped(values)) == _joined(parts, values) == made.plain(values)


def test_a_browser_style_streaming_decoder_reads_it_to_the_end():
    parts = [b"<html><head>" * 50, b"</head><body>" * 50, b"</body></html>"]
    values = [b"t" * 64, b"k" * 32]
    body = gzipparts.make(parts, [64, 32]).gzipped(values)
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    plain = b"".join(decoder.decompress(body[i : i + 7]) for i in range(0, len(body), 7)) + decoder.flush()
    assert plain == _joined(parts, values) and decoder.eof and decoder.unused_data == b""


def test_values_of_another_length_than_announced_are_still_served_whole_and_right():
    parts = [b"<form>" * 40, b"</form>" * 40]
    made = gzipparts.make(parts, [64])
    expected = b"<form>" * 40 + b"short" + b"</form>" * 40
    assert gzip.decompress(made.gzipped([b"short"])) == expected == made.plain([b"short"])


def test_parts_that_are_not_utf8_and_hold_the_filler_byte_are_compressed_apart_and_still_right():
    # Primed, the second part would refer to the filler where the value is.
    parts = [b"<p>" * 10, b"\xff" * 8 + b"</p>" * 10]
    made = gzipparts.make(parts, [4])
    assert not made.primed
    assert gzip.decompress(made.gzipped([b"v1v2"])) == parts[0] + b"v1v2" + parts[1] == made.plain([b"v1v2"])


def test_a_value_longer_than_one_stored_block_spans_several():
    value = bytes(random.Random(1).getrandbits(8) for _ in range(gzipparts.STORED_BLOCK_MAX * 2 + 10))
    parts = [b"before", b"after"]
    body = gzipparts.make(parts, [len(value)]).gzipped([value])
    assert gzip.decompress(body) == b"before" + value + b"after"


def test_later_parts_refer_back_to_earlier_ones_so_the_page_stays_as_small_as_compressed_whole():
    navigation = "".join(f'<a href="/articles/{n}/">文章 {n}</a>' for n in range(200)).encode()
    parts = [navigation, navigation, navigation]
    primed = sum(map(len, gzipparts.make(parts, [64, 64]).deflated))
    alone = sum(len(gzipparts.make([part], []).deflated[0]) for part in parts)
    whole = len(zlib.compress(b"x".join(parts), 9))
    assert primed < alone / 2 and primed <= whole * 1.1


def test_the_length_of_the_compressed_page_tells_nothing_about_its_token():
    # BREACH guesses a secret by how well it compresses with the page; a stored value never is compressed.
    parts = [b'<input value="', b'"> csrf a1b2c3 ' * 20]
    made = gzipparts.make(parts, [64])
    sizes = set()
    for token in (b"a1b2c3" * 10 + b"a1b2", bytes(range(65, 65 + 64)), b"z" * 64):
        body = made.gzipped([token])
        header = body.index(b"\x00", 10) + 1  # the random-length name field ends the header
        sizes.add(len(body) - header)
    assert len(sizes) == 1
