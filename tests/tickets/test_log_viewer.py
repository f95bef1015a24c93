"""Issue 18 §4.1: the agent's log viewer reads a hostile log in linear time and bounded memory."""

import gzip
import io
import tracemalloc

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.timeguard import time_guard
from tickets.logs import CODE_NEAR, MAX_LINE, log_page
from tickets.models import Attachment

# Far beyond what linear work needs (well under a second here), far below what backtracking needed (30 s).
GUARD_SECONDS = 10


def _guard(seconds: int = GUARD_SECONDS):
    return time_guard(seconds)


def _stored(name: str, data: bytes) -> Attachment:
    stored = default_storage.save(f"tickets/test/{name}", ContentFile(data))
    return Attachment(file=stored, original_name=name)


def _gzip_of_one_line(size: int) -> bytes:
    out = io.BytesIO()
    block = b"A" * (1024 * 1024)
    with gzip.GzipFile(fileobj=out, mode="wb") as archive:
        for _ in range(size // len(block)):
            archive.write(block)
        archive.write(b" RC=05\n")
    return out.getvalue()


def test_the_code_pattern_cannot_backtrack_over_a_run_of_spaces():
    with _guard():
        assert CODE_NEAR.findall("RC" + " " * 200_000) == []
        assert CODE_NEAR.findall("resp code" + " " * 100_000 + ":" + " " * 100_000 + "A0") == ["A0"]


def test_the_code_pattern_still_finds_codes_however_they_are_written():
    text = "RC=55 | resp code: A0 | 应答码：A0 | 39域=05 | F39 [14] | RC  =  12"
    assert CODE_NEAR.findall(text) == ["55", "A0", "A0", "05", "14", "12"]


def test_a_log_of_rc_and_spaces_is_shown_in_linear_time():
    attachment = _stored("spaces.log", ("RC" + " " * 2000 + "\n").encode() * 500)

    with _guard():
        page = log_page(attachment, known_codes={"05"})

    assert page.matches == 500
    assert all(line.codes == [] for line in page.lines)


def test_one_48_mb_line_in_a_gzip_is_read_in_bounded_memory():
    attachment = _stored("one-line.log.gz", _gzip_of_one_line(48 * 1024 * 1024))

    tracemalloc.start()
    try:
        with _guard(30):
            page = log_page(attachment, query="aaa")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 30 * 1024 * 1024
    assert page.matches == 1
    (line,) = page.lines
    assert line.cut and line.text == "A" * MAX_LINE


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("last", ["", "broken"])
def test_lines_keep_their_numbers_and_lose_only_their_breaks(ending, last):
    text = ending.join(["10:00 SIGN ON", "x" * (MAX_LINE + 5), "", "10:01 SALE RC=A0 失败"]) + (ending if last else "")
    page = log_page(_stored("pos.log", text.encode()), known_codes={"A0"})

    assert [(line.number, len(line.text), line.cut) for line in page.lines] == [
        (1, 13, False),
        (2, MAX_LINE, True),
        (3, 0, False),
        (4, len("10:01 SALE RC=A0 失败"), False),
    ]
    assert page.lines[3].codes == ["A0"] and page.lines[3].is_error


def test_a_line_of_exactly_the_limit_is_not_cut():
    page = log_page(_stored("pos.log", ("y" * MAX_LINE + "\n").encode()))

    assert not page.lines[0].cut
