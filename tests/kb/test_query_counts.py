"""Public pages rendered from scratch take a fixed number of queries, however much content there is: a page
that starts doing a query per article, code or category fails here (the page cache would hide it)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kb import services
from kb.models import ResponseCode

pytestmark = pytest.mark.usefixtures("loaded_kb")

# Each page and the most queries it may take when rendered for a visitor with nothing cached.
PAGES = {
    "/": 6,
    "/en/": 6,
    "/categories/start-here/": 4,
    "/codes/": 3,
    "/codes/A0/": 5,
    "/articles/re-sign-in-prompt/": 6,
    # With the search log stored at once, as in development (three statements); and the typed words' own
    # candidates beside their synonyms' (kb.search.selectors._typed_pool).
    "/search/?q=请重新签到": 10,
    "/api/search?q=A0": 11,
    # Nothing written for a visitor who only looks at the form (no session is started).
    "/tickets/new/?article=re-sign-in-prompt&code=A0": 2,
}


def _queries(path: str) -> int:
    Client().get(path)  # what a process loads once (synonyms, the index size) is not the page's cost
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(path)
    assert response.status_code == 200, path
    return len(queries)


def _more_content(make_article) -> None:
    for n in range(6):
        make_article(slug=f"more-{n}", title=f"更多签到问题{n}", codes="A0", category="start-here")
    for n in range(6):
        content = services.ResponseCodeContent(
            code=f"Z{n}", resign=ResponseCode.Resign.MAYBE, name_zh=f"测试{n}", name_en=f"Test {n}",
            action_zh="重新签到。", action_en="Sign in again.",
        )  # fmt: skip
        services.response_code_save(content=content)


@pytest.mark.parametrize("path", PAGES)
def test_a_public_page_takes_the_same_few_queries_however_much_content(path, settings, make_article):
    settings.PAGE_CACHE_SECONDS = 0
    settings.SEARCH_CACHE_SECONDS = 0
    before = _queries(path)
    _more_content(make_article)

    after = _queries(path)

    assert after == before <= PAGES[path]
