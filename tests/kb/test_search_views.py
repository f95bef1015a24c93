"""The results page, the JSON endpoint and the click-recording redirect."""

from urllib.parse import parse_qsl, quote

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from kb.search.models import SearchLog
from kb.selectors import search_pages as search
from tests.kb.search_helpers import open_links

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_kb")]

SEARCH = "/search/"
API = "/api/search"


def test_the_results_page_lists_the_matching_articles(client):
    response = client.get(SEARCH, {"q": "请重新签到"})
    assert response.status_code == 200
    assert "刷卡提示“请重新签到”怎么办" in strip_tags(response.text)


def test_the_results_page_marks_the_query_words(client):
    response = client.get(SEARCH, {"q": "密钥"})
    assert "<mark>密钥</mark>" in response.text


def test_a_code_query_puts_the_code_page_first(client):
    response = client.get(API, {"q": "应答码A0", "lang": "zh-hans"})
    first = response.json()["results"][0]
    assert (first["kind"], first["url"]) == ("code", "/codes/A0/")


def test_the_api_returns_the_documented_shape(client):
    data = client.get(API, {"q": "没网", "lang": "zh-hans"}).json()
    assert data["query"] == "没网"
    assert data["results"]
    assert {"title", "url", "snippet", "kind"} <= set(data["results"][0])
    assert {r["kind"] for r in data["results"]} <= {"article", "code"}


def test_the_api_says_whether_a_page_matches_exactly(client):
    assert client.get(API, {"q": "没网", "lang": "zh-hans"}).json()["exact_match"] is True
    assert client.get(API, {"q": "店里的空调坏了", "lang": "zh-hans"}).json()["exact_match"] is False


def test_a_query_with_no_exact_answer_lists_the_closest_articles_and_says_so(client):
    response = client.get(reverse("kb:search"), {"q": "店里的空调坏了"})
    hits = [hit for hit, _url in response.context["hits"]]
    assert hits and {hit.kind for hit in hits} == {"article"}
    assert "没有与您输入的内容完全对应的页面" in response.content.decode()


def test_an_answered_query_does_not_say_no_exact_match(client):
    response = client.get(reverse("kb:search"), {"q": "请重新签到"})
    assert "没有与您输入的内容完全对应的页面" not in response.content.decode()


def test_the_api_returns_results_in_rank_order(client):
    data = client.get(API, {"q": "打不出小票", "lang": "zh-hans"}).json()
    assert [r["url"] for r in data["results"]] == [
        h.url for h in search("打不出小票", language="zh-hans", limit=8).hits
    ]


def test_the_api_serves_english_articles_for_lang_en(client):
    data = client.get(API, {"q": "printer", "lang": "en"}).json()
    assert data["results"][0]["url"].startswith("/en/articles/")


def test_the_api_rejects_an_unknown_language(client):
    assert client.get(API, {"q": "printer", "lang": "fr"}).status_code == 400


def test_the_api_explains_an_over_long_query(client):
    response = client.get(API, {"q": "签" * 201})
    assert response.status_code == 400
    assert "200" in response.json()["error"]


def test_an_empty_api_query_returns_nothing_and_logs_nothing(client):
    assert client.get(API, {"q": "  "}).json() == {"query": "", "exact_match": False, "results": []}
    assert not SearchLog.objects.exists()


def test_the_results_page_explains_an_over_long_query_and_logs_nothing(client):
    response = client.get(SEARCH, {"q": "签" * 201})
    assert "200" in response.text
    assert not SearchLog.objects.exists()


def test_a_script_in_the_query_is_shown_as_text(client):
    response = client.get(SEARCH, {"q": "<script>alert(1)</script> 签到"})
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)" in response.text


def test_markup_in_an_article_title_is_escaped_in_results(client):
    from tests.kb.search_helpers import make_article

    make_article(slug="xss-title", title="<img src=x onerror=alert(1)>斑马")
    response = client.get(SEARCH, {"q": "斑马"})
    assert "<img src=x" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text


def test_opening_a_result_redirects_to_it_and_records_the_click(client):
    link = open_links(client.get(SEARCH, {"q": "A0"}))[0]
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == "/codes/A0/"
    log = SearchLog.objects.get()
    assert (log.opened_position, log.opened_url) == (1, "/codes/A0/")


def test_an_article_opened_from_the_results_carries_the_search_on(client):
    link = open_links(client.get(SEARCH, {"q": "请重新签到"}))[0]
    response = client.get(link)
    assert response["Location"] == SearchLog.objects.get().results[0] + "?q=" + quote("请重新签到")
    feedback = client.get(response["Location"]).content.decode()
    assert 'name="q" value="请重新签到"' in feedback


def test_an_answer_opened_for_a_query_naming_a_terminal_kind_shows_that_kinds_menu_paths(client):
    link = open_links(client.get(SEARCH, {"q": "安卓智能POS怎么签到"}))[0]
    response = client.get(link)

    assert "terminal=generic-smart" in response["Location"]
    page = strip_tags(client.get(response["Location"]).content.decode())
    assert "打开银行卡收款应用" in page  # the smart POS sign-on path (kb/content/terminal_models.yaml)


def test_an_answer_opened_for_a_query_naming_no_terminal_picks_none(client):
    link = open_links(client.get(SEARCH, {"q": "请重新签到"}))[0]

    assert "terminal=" not in client.get(link)["Location"]


def test_only_the_first_opened_result_counts(client):
    links = open_links(client.get(SEARCH, {"q": "A0"}))
    client.get(links[1])
    client.get(links[0])
    assert SearchLog.objects.get().opened_position == 2


def test_a_result_link_with_its_target_position_or_search_changed_is_not_found(client):
    link = open_links(client.get(SEARCH, {"q": "A0"}))[0]
    path, _sep, params = link.partition("?")
    assert client.get(link).status_code == 302
    assert client.get(path.replace("/1/", "/2/") + "?" + params).status_code == 404
    params = dict(parse_qsl(params))
    assert client.get(path, params | {"u": "/codes/99/"}).status_code == 404
    assert client.get(path, params | {"q": "B1"}).status_code == 404
    assert client.get(path, params).status_code == 302
    assert client.get(path).status_code == 404


def test_the_redirect_never_leaves_the_site_even_for_a_link_we_signed(client):
    from django.core import signing

    from kb.search_views import OPEN_SALT

    for url in ("//evil.example/phish", "https://evil.example/", "/\\evil.example/"):
        token = signing.dumps({"k": "abc", "p": 1, "u": url, "q": ""}, salt=OPEN_SALT, compress=True)
        response = client.get(reverse("kb:search_open", kwargs={"log_key": "abc", "position": 1}), {"r": token})
        assert response.status_code == 404


def test_the_redirect_ignores_any_url_in_the_request(client):
    link = open_links(client.get(SEARCH, {"q": "A0"}))[0]
    response = client.get(link + "&next=https://evil.example/&url=https://evil.example/")
    assert response["Location"] == "/codes/A0/"


def test_the_api_links_each_result_through_the_click_recorder(client):
    data = client.get(API, {"q": "A0", "lang": "zh-hans"}).json()
    log = SearchLog.objects.get()
    link = data["results"][0]["open_url"]
    assert link.startswith(reverse("kb:search_open", kwargs={"log_key": log.key, "position": 1}) + "?")
    assert client.get(link)["Location"] == "/codes/A0/"


def test_no_results_offers_alternatives_and_support_with_the_query(client):
    response = client.get(SEARCH, {"q": "量子纠缠"})
    assert response.context["hits"] == []
    assert response.context["alternatives"]
    assert "/tickets/new/?q=%E9%87%8F%E5%AD%90%E7%BA%A0%E7%BC%A0" in response.text


def test_the_english_site_searches_english_articles(client):
    response = client.get("/en/search/", {"q": "printer"})
    assert "Hardware checks" in strip_tags(response.text)


def test_a_chinese_query_on_the_english_site_still_finds_pages(client):
    data = client.get(API, {"q": "请重新签到", "lang": "en"}).json()
    assert data["results"]
    assert any("re-sign-in-prompt" in r["url"] for r in data["results"][:3])


def test_posting_to_the_results_page_is_not_allowed(client):
    assert client.post(SEARCH, {"q": "A0"}).status_code == 405


def test_the_home_page_search_box_asks_for_suggestions(client):
    response = client.get("/")
    assert 'data-suggest-url="/api/search"' in response.text
    assert "js/search-suggest.js" in response.text


def test_each_suggestion_carries_one_short_line_from_the_start_of_its_summary(client):
    data = client.get("/api/search", {"q": "签到", "lang": "zh-hans", "limit": 5, "suggest": "1"}).json()
    assert data["results"]
    for result in data["results"]:
        assert 0 < len(result["line"]) <= 41
        assert "\n" not in result["line"]


def test_a_long_first_sentence_ends_at_a_word_with_an_ellipsis():
    from kb.search.snippets import first_line

    line = first_line("When Wi-Fi, the SIM or the cable fails, sign-on and payments fail or time out, and more. Next.")
    assert line.endswith("…") and len(line) <= 81 and not line[:-1].endswith(" ")
    assert first_line("签到失败怎么办？先看这篇。") == "签到失败怎么办？"


def test_a_query_with_only_close_pages_is_headed_as_the_closest_not_as_nothing_found(client):
    # Pinyin for "网球" (tennis): no page matches it; pages with "wan…" (网络, the network) share its start.
    response = client.get(SEARCH, {"q": "wangqiu"})
    text = strip_tags(response.text)
    assert response.context["hits"] == [] and response.context["close"]
    assert "与“wangqiu”最接近的内容" in text and "没有找到" not in text


def test_the_closest_heading_is_translated(client):
    response = client.get("/en/search/", {"q": "wangqiu"})
    assert "The closest pages to “wangqiu”" in strip_tags(response.text)


def test_the_hint_about_codes_not_in_the_table_is_not_shown_for_words_with_close_pages(client):
    response = client.get(SEARCH, {"q": "wangqiu"})
    assert "data-code-hint" not in response.text


def test_a_query_matching_nothing_at_all_says_so_with_the_hint_about_codes_and_where_to_start(client):
    response = client.get(SEARCH, {"q": "量子纠缠"})
    text = strip_tags(response.text)
    assert "没有找到与“量子纠缠”相关的内容" in text and "可以从这里开始" in text
    assert "data-code-hint" in response.text


def test_a_code_without_a_page_gets_the_page_about_codes_not_in_the_table_first(client):
    response = client.get(SEARCH, {"q": "C1"})
    first, _url = response.context["hits"][0]
    assert response.context["result"].unknown_codes == ["C1"]
    assert first.url == reverse("kb:article", args=["unknown-codes"])
