"""The re-ranker's signals on documents built by the real pipeline: how far a query is one of a page's lines."""

from kb.search.documents import Document, entry_fields
from kb.search.pipeline import line_pinyin, normalize, parse_query
from kb.search.ranking import SYNONYM_CREDIT, rerank_signals
from kb.search.synonym_groups import Synonyms


def _signals(query: str, *documents: Document) -> dict[str, tuple[float, float, float]]:
    rows = {i: entry_fields(document) for i, document in enumerate(documents)}
    signals = rerank_signals(parse_query(query), rows)
    return {documents[pk].key: value for pk, value in signals.items()}


def _page(key: str, title: str, *, symptoms=(), tags=(), language="zh-hans") -> Document:
    return Document(
        kind="article",
        key=key,
        language=language,
        title=title,
        url=f"/{key}/",
        symptoms=tuple(symptoms),
        tags=tuple(tags),
    )


def test_a_query_that_is_a_tag_is_more_exact_than_one_inside_a_long_title():
    hub = _page("hub", "刷卡提示请重新签到怎么办", tags=["签到", "返回码"])
    long_title = _page("long", "没有返回码，却反复提示签到：签到成功后又要求签到怎么办")
    signals = _signals("签到", hub, long_title)
    assert signals["hub"][2] == 0.9
    assert 0.7 < signals["long"][2] < 0.9


def test_inside_a_title_the_larger_share_of_it_the_query_is_the_more_exact():
    short = _page("short", "签到失败怎么办")
    long = _page("long", "银行或收单机构政策调整、外部事件导致签到失败")
    signals = _signals("签到失败", short, long)
    assert signals["short"][2] > signals["long"][2]


def test_the_query_equal_to_the_title_is_exact():
    assert _signals("签到失败", _page("p", "签到失败"))["p"][2] == 1.0


def test_a_line_in_pinyin_matches_the_query_typed_in_pinyin():
    hardware = _page("hardware", "硬件排查", symptoms=["开不了机", "死机"])
    update = _page("update", "程序更新", symptoms=["更新后开不了机"])
    signals = _signals("kaibuliaoji", hardware, update)
    assert signals["hardware"][2] == 0.9
    assert signals["update"][2] < 0.8  # only inside its line "更新后开不了机"


def test_line_pinyin_leaves_lines_without_chinese_or_with_digits():
    assert line_pinyin(normalize("开不了机")) == "kaibuliaoji"
    assert line_pinyin(normalize("POS机要求重新签到")) == "posjiyaoqiuchongxinqiandao"
    assert line_pinyin(normalize("返回码77")) == ""
    assert line_pinyin(normalize("sign on failed")) == ""


def test_an_english_line_is_said_in_any_order_but_a_negation_keeps_its_word():
    settlement = _page("settlement", "Settlement", symptoms=["not signed on after settlement"], language="en")
    assert _signals("after settlement the terminal says not signed on", settlement)["settlement"][2] > 0.3
    # "not" negates "working" here, not "signed on".
    assert _signals("sign on not working", settlement)["settlement"][2] == 0.0


def test_the_screen_text_a_sentence_quotes_is_matched_as_a_line():
    hub = _page("hub", "刷卡提示请重新签到怎么办", symptoms=["请重新签到"])
    other = _page("other", "应急预案", symptoms=["刷不了卡还要营业"])
    signals = _signals("早上开机刷第一笔卡就提示请重新签到，怎么办？", hub, other)
    assert signals["hub"][2] == 0.9
    assert signals["other"][2] == 0.0


def test_a_quoted_screen_text_running_on_past_a_line_still_credits_that_line():
    reversal = _page("reversal", "冲正卡住", symptoms=["请先冲正"])
    assert 0.6 < _signals("一直提示请先冲正刷不了卡", reversal)["reversal"][2] < 0.9


def test_what_was_typed_without_the_terminals_name_is_matched_as_a_line():
    hardware = _page("hardware", "硬件排查", symptoms=["死机", "开不了机"])
    replace = _page("replace", "什么时候该换POS终端", symptoms=["经常死机"])
    signals = _signals("pos机死机了", hardware, replace)
    assert signals["hardware"][2] == 0.9
    assert signals["replace"][2] < signals["hardware"][2]


def test_a_synonym_for_the_whole_query_is_matched_as_a_line_at_a_discount():
    hardware = _page("hardware", "硬件排查", symptoms=["死机", "开不了机"])
    replace = _page("replace", "什么时候该换POS终端", symptoms=["经常死机"])
    synonyms = Synonyms.from_term_lists([["罢工", "死机", "坏了"]])
    rows = {0: entry_fields(hardware), 1: entry_fields(replace)}
    signals = rerank_signals(parse_query("机器罢工", synonyms=synonyms), rows)
    assert signals[0][2] == SYNONYM_CREDIT * 0.9
    assert signals[1][2] < signals[0][2]
