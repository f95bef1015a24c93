"""Snippets start where a sentence or clause starts, never in the middle of one."""

from kb.search.snippets import highlighter, snippet

EN = (
    "Check the power first. The terminal keeps its old keys after a failed sign-on, so sign on once more and "
    "if the MAC error persists call your acquirer with the terminal ID."
)
ZH = "终端提示通讯失败时，先检查网络。如果签到以后仍然提示MAC校验错，请联系收单机构重新灌装主密钥。"


def test_an_english_snippet_starts_at_the_clause_of_the_match_when_its_sentence_is_long():
    text = snippet("\n\n" + EN, "", highlighter({"mac"}))

    assert text.startswith("…so sign on once more")


def test_an_english_snippet_starts_at_the_sentence_of_the_match_with_an_ellipsis():
    text = snippet("\n\nCheck the power first. Then the MAC error page explains the rest.", "", highlighter({"mac"}))

    assert text.startswith("…Then the MAC error page")


def test_a_chinese_snippet_starts_at_the_sentence_of_the_match():
    text = snippet("\n\n" + ZH, "", highlighter({"mac"}))

    assert text.startswith("…如果签到以后仍然提示MAC校验错")


def test_a_match_in_the_first_sentence_shows_the_text_from_its_start():
    assert snippet("\n\n" + ZH, "", highlighter({"通讯失败"})).startswith("终端提示通讯失败时")


def test_a_long_sentence_starts_at_the_clause_of_the_match():
    long = "这是一个很长的句子，" * 10 + "最后提到MAC校验错的地方。"

    assert snippet("\n\n" + long, "", highlighter({"mac"})).startswith("…最后提到MAC校验错")
