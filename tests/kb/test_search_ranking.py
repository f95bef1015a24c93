"""The re-ranker's signals on documents built by the real pipeline: how far a query is one of a page's lines."""

from kb.search.documents import Document, entry_fields
from kb.search.pipeline import line_pinyin, normalize, parse_query
from kb.search.ranking import rerank_signals


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
