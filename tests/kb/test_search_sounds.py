"""Words typed with a wrong character of the same sound (a pinyin input method's or voice input's slip)."""

import re
from pathlib import Path

import pytest

from kb.search.pipeline import normalize
from kb.search.readings import sound
from kb.search.sounds import corrected
from tests.kb.search_helpers import keys

CONTENT = Path(__file__).resolve().parents[2] / "kb" / "content"


def test_a_sound_is_the_toneless_pinyin_of_every_character():
    assert sound("签到") == "qiandao"
    assert sound("余额") == sound("于额") == "yue"
    assert sound("签到ok") == ""  # a character the table does not know


def test_the_table_knows_every_chinese_character_of_the_knowledge_base():
    characters = {ch for path in CONTENT.rglob("*.*") for ch in re.findall(r"[\u4e00-\u9fff]", path.read_text("utf-8"))}
    assert {ch for ch in characters if not sound(ch)} == set()  # else: .venv/bin/python bin/char_sounds.py


@pytest.mark.usefixtures("loaded_kb")
@pytest.mark.parametrize(
    ("typed", "heard"),
    [("前到失败", "签到失败"), ("千到不上", "签到不上"), ("冲证失败", "冲正失败"), ("小漂打不出来", "小票打不出来")],
)
def test_a_stretch_that_is_no_word_is_read_as_the_word_it_sounds_like(typed, heard):
    assert corrected(normalize(typed))[0] == heard


@pytest.mark.usefixtures("loaded_kb")
@pytest.mark.parametrize(
    "typed", ["签到失败", "顾客的卡没余额了", "小票打出来是白的", "但是小票只有一张", "提示请重新签到"]
)
def test_words_and_particles_typed_on_purpose_stay(typed):
    assert corrected(normalize(typed)) == (normalize(typed), {})


@pytest.mark.usefixtures("loaded_kb")
def test_search_finds_the_page_for_what_the_merchant_meant():
    assert keys("冲证失败")[:1] == ["reversal-stuck"]
    assert keys("于额不足")[:1] == ["code:51"]
