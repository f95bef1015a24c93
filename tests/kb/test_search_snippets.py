"""What a hit shows: snippets start where a sentence or clause starts, never in the middle of one; what is
marked is what the merchant typed (lighter: its synonyms), never a lone character or a function word."""

from kb.search.pipeline import parse_query
from kb.search.snippets import (
    RELATED,
    TYPED,
    highlighter,
    hit_highlighter,
    mark,
    marks_for,
    readings,
    snippet,
    spelled,
)
from kb.search.synonym_groups import Synonyms

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


# --- What is marked (snippets.marks_for) ---------------------------------------------------------

SETTLE = Synonyms.from_term_lists([["结账", "结算"], ["不了", "失败", "不行"]])


def _marked(text: str, query: str, synonyms: Synonyms = SETTLE) -> dict[str, str]:
    marks = marks_for(parse_query(query, synonyms=synonyms))
    return {part: kind for part, kind in mark(text, hit_highlighter(marks, text)) if kind}


def test_a_lone_character_of_a_split_word_is_never_marked_inside_other_words():
    marked = _marked("商户被冻结，结算款没到账。", "结不了账")

    assert "结" not in marked and "账" not in marked and "到账" not in marked


def test_a_synonym_standing_for_a_typed_word_is_marked_lighter_than_typed_words():
    assert _marked("先结账，再结算。", "结不了账") == {"结账": TYPED, "结算": RELATED}


def test_a_bare_complement_and_the_synonym_standing_only_for_it_are_not_marked():
    marked = _marked("重新签到解决不了，显示失败。", "结不了账")

    assert "不了" not in marked and "失败" not in marked


def test_the_whole_typed_phrase_is_marked_when_the_page_says_it():
    assert _marked("打烊后结不了账怎么办", "结不了账") == {"结不了账": TYPED}


def test_short_english_function_words_are_not_marked_alone_nor_inside_longer_words():
    text = "Sign on once more; one card is not enough, and no code shows on the screen."

    assert _marked(text, "no dough on the card") == {"card": TYPED}


def test_typed_english_words_in_a_row_are_marked_as_one_phrase_with_their_function_words():
    marked = _marked("Keep the card on the card reader: terminal not registered.", "on the card")

    assert marked == {"on the card": TYPED, "card": TYPED}


def test_a_stemmed_word_marks_its_inflections_but_not_a_longer_word():
    marked = _marked("Printing failed; the printer and the cardholder's cards.", "print card")

    assert marked == {"Printing": TYPED, "printer": TYPED, "cards": TYPED}


def test_pinyin_marks_the_chinese_it_spells_but_not_a_single_character():
    title = "银行或收单机构政策调整、外部事件导致签到失败"

    assert _marked(title + "，到时再试", "qiandao shibai") == {"签到失败": TYPED}
    assert spelled("签到成功后又失败了", frozenset({"qiandao", "shibai"})) == {"签到", "失败"}
    assert spelled("到了", frozenset({"dao"})) == set()


def test_a_character_with_several_readings_spells_each_of_them():
    assert spelled("银行卡", frozenset({"yinhang"})) == {"银行"}
    assert spelled("重新签到", frozenset({"chongxin"})) == {"重新"}


def test_the_readings_table_is_in_step_with_pypinyin():
    from pypinyin import Style, pinyin

    table = readings()
    assert len(table) > 6000
    for char in "签到失败结账行重绿网断了印表机":
        expected = [r for r in dict.fromkeys(pinyin(char, style=Style.NORMAL, heteronym=True)[0]) if r.isalpha()]
        assert list(table[char]) == expected


# --- Which stretch is shown (snippets.snippet) ---------------------------------------------------


def test_a_snippet_prefers_the_sentence_with_the_typed_word_over_one_with_synonyms():
    body = "打烊前请先结算，结算完成后再签退。" + "这里是无关的说明。" * 20 + "如果结账时断网，等网络恢复再试。"
    pattern = highlighter({"结账"}, {"结算"})

    assert snippet("\n\n" + body, "summary", pattern).startswith("…如果结账时断网")


def test_a_snippet_falls_back_to_the_summary_not_to_the_symptom_lines():
    text = "old terminal stopped working\nis a free POS machine safe\n\nReplace it through your acquirer."
    summary = "Frequent faults or an unsupported model: replace the terminal through your acquirer."

    assert snippet(text, summary, highlighter({"stopped working"})) == summary


def test_a_body_holding_only_synonyms_gives_way_to_the_summary():
    text = "\n\n请带上结算单的照片联系收单机构。"

    assert snippet(text, "扣了款却显示失败怎么解释", highlighter({"结账"}, {"结算"})) == "扣了款却显示失败怎么解释"
