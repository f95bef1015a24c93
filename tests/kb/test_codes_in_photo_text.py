"""Response codes read from the text of a photo: the same detection as search, minus the bare numbers that
are dates and amounts on a receipt."""

import pytest

from kb.selectors import codes_in_photo_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_kb")]


def test_it_reads_ao_as_a0_next_to_chinese_text():
    assert codes_in_photo_text("交易失败\nAO校验错，请重新签到") == ["A0"]


def test_it_finds_a_code_after_resp_on_a_receipt():
    assert codes_in_photo_text("POS签购单\n日期 2026/12/07 16:45\nRESP:51\n金额 RMB 12.00") == ["51"]


def test_it_takes_no_code_from_dates_and_amounts():
    assert codes_in_photo_text("日期 2026/12/07 16:45\n金额 RMB 12.00") == []


def test_it_matches_a_screen_text_from_the_code_table():
    assert codes_in_photo_text("余额不足") == ["51"]


def test_a_short_screen_text_inside_a_longer_line_names_no_code():
    assert codes_in_photo_text("请批准后再试一下吧") == []
