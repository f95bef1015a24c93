"""A query that is a response code's screen text finds that code's page first (issue 23, L10)."""

import pytest

from kb import search

pytestmark = pytest.mark.django_db


def _code(code: str, name: str, *screen_texts: str, body: str = "按屏幕提示处理。") -> None:
    search.index(
        search.Document(
            kind=search.CODE,
            key=code,
            language="zh-hans",
            title=f"{code} {name}",
            url=f"/codes/{code}/",
            body=body,
            symptoms=screen_texts,
            codes=(code,),
            names=(name, name),
        )
    )


def _article(slug: str, title: str, *symptoms: str) -> None:
    search.index(
        search.Document(
            kind=search.ARTICLE,
            key=slug,
            language="zh-hans",
            title=title,
            url=f"/articles/{slug}/",
            body="斑马终端上的各种提示，逐条说明。",
            symptoms=symptoms,
        )
    )


def _keys(query: str) -> list[str]:
    return [hit.key for hit in search.search(query, language="zh-hans").hits]


def test_the_longest_screen_text_in_the_query_names_the_code():
    _code("X1", "斑马请重试", "斑马请重试")
    _code("X2", "长颈鹿应答超时", "长颈鹿交易超时", body="发卡行没有及时回应，结果暂时不确定，先查询再决定。" * 5)

    assert _keys("长颈鹿交易超时，斑马请重试")[0] == "X2"


def test_a_code_page_comes_before_an_article_that_lists_its_screen_text_in_passing():
    _code("X3", "斑马终端未登记", "斑马终端号未登记")
    _article("zebra-causes", "斑马终端号未登记或网络不通的原因", "斑马终端号未登记", "斑马网络不通")

    assert _keys("斑马终端号未登记")[0] == "X3"


def test_a_screen_text_several_codes_share_puts_the_page_explaining_it_first():
    _code("X4", "斑马批次不符", "斑马请重新签到")
    _code("X5", "斑马密钥错", "斑马请重新签到")
    _article("zebra-sign-on", "斑马提示请重新签到怎么办", "斑马请重新签到")

    assert _keys("斑马请重新签到")[0] == "zebra-sign-on"


def test_the_code_is_first_even_when_the_backend_ranked_it_outside_its_candidates(monkeypatch):
    import kb.search.selectors as selectors

    _code("X6", "斑马终端号未登记", "斑马终端号未登记", body="说明。" * 200)
    for n in range(3):
        _article(f"zebra-{n}", f"斑马终端号未登记 斑马终端号未登记 {n}", "斑马终端号未登记", "斑马终端号未登记了")
    monkeypatch.setattr(selectors, "RERANK_POOL", 1)

    assert [hit.key for hit in search.search("斑马终端号未登记", language="zh-hans", limit=1).hits] == ["X6"]
