"""How search reads what merchants really type, on the shipped knowledge base: words glued with a typo, split
verbs, a screen text quoted in a sentence, a failing sign-on said in other words."""

import pytest

from kb.selectors import search_pages as search
from tests.kb.search_helpers import keys

pytestmark = pytest.mark.usefixtures("loaded_kb")

NETWORK = ("fix-network", "cause-network")
SIGN_ON_FAILS = ("sign-on-fails", "re-sign-in-prompt")


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        ("cantconnect", "en", NETWORK),  # a negation glued to its verb
        ("singon failed", "en", SIGN_ON_FAILS),  # glued, and two letters swapped
        ("结不了账", "zh-hans", ("settle-and-sign-off", "settlement-and-batch")),  # 结账, split by 不了
        ("上不了线", "zh-hans", NETWORK),
        ("签到不行", "zh-hans", SIGN_ON_FAILS),  # 签到 with a word of the "fails" group
        ("sign on not working", "en", SIGN_ON_FAILS),
        ("早上开机刷第一笔卡就提示请重新签到，怎么办？", "zh-hans", ("re-sign-in-prompt",)),
        ("印表機沒紙", "zh-hans", ("fix-hardware", "cause-device")),  # Taiwan's word for the printer
    ],
)
def test_the_answer_comes_first(query, language, expected):
    assert keys(query, language=language)[:1][0] in expected


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("顾客的卡没余额了刷不过去", "zh-hans"),  # 没余额 amid words every page has
        ("card got declined low balance", "en"),
        ("额度刷爆了", "zh-hans"),  # a maxed-out credit card
    ],
)
def test_money_said_in_other_words_in_a_longer_query_brings_the_insufficient_funds_code_first(query, language):
    assert keys(query, language=language)[:1] == ["code:51"]


def test_an_english_word_misspelt_amid_chinese_finds_the_pages_that_say_it_in_chinese():
    # "pinter" is "printer", which the Chinese pages call 打印机.
    assert keys("pinter 没反应")[:1][0] in ("fix-hardware", "cause-device")


def test_a_negation_typed_stays_when_the_query_is_matched_as_a_line():
    # "签到成功后又要签到" (asked again after a successful sign-on) is no line of "签到老是不成功".
    assert keys("签到老是不成功")[:1][0] in SIGN_ON_FAILS


def test_the_code_named_in_other_words_stays_though_the_query_says_more_than_any_page():
    # 阿姨 is on no page, so no page covers enough of the query to be an exact match; 没钱 is still code 51.
    assert "code:51" in keys("阿姨的卡没钱了")[:2]


def test_a_quoted_screen_text_that_is_a_pages_line_is_an_answer_however_long_the_sentence():
    result = search("早上开机刷第一笔卡就提示请重新签到，怎么办？", language="zh-hans")
    assert result.exact and result.hits[0].key == "re-sign-in-prompt"


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        # Chinese with pinyin in it, spelled all in pinyin and matched as the pages' lines.
        ("qiandao失败", "zh-hans", ("sign-on-fails",)),
        ("余额buzu", "zh-hans", ("code:51",)),
        ("yu额不足", "zh-hans", ("code:51",)),
        # Pinyin with its tone marks.
        ("chōng zhèng shī bài", "zh-hans", ("reversal-stuck",)),
        # A negation keeps its verb across "get it to".
        ("can't get it to sign on", "en", ("sign-on-fails",)),
        # A synonym group said in other words: the page whose line is one of its terms.
        ("sign on won't go through", "en", ("sign-on-fails",)),
        # What works is not the question.
        ("sign-on not working although wifi is fine", "en", ("sign-on-fails",)),
        ("网络好好的就是签不了到", "zh-hans", ("sign-on-fails",)),
        # The typed word's page stays among the candidates beside its synonyms' ("fail" is in many pages).
        ("setlement fail", "en", ("settlement-and-batch", "settle-and-sign-off")),
        # "every single" is "every": "single" is no topic (single-length keys).
        ("sign on fails every single morning", "en", ("sign-on-fails",)),
        # A screen text with the merchant's question after it.
        ("刷卡显示余额不足是不是机器坏了", "zh-hans", ("code:51",)),
        # A card's limits in merchants' words.
        ("这张卡今天刷了好多次，现在不让刷了", "zh-hans", ("code:65",)),
        ("daily limit on customers card reached", "en", ("code:61", "code:65")),
    ],
)
def test_the_answer_comes_first_for_what_merchants_type_around_the_words(query, language, expected):
    assert keys(query, language=language)[:1][0] in expected
