"""The public, read-only API: the site's search, articles, categories and codes, cacheable and rate-limited."""

import pytest

pytestmark = pytest.mark.django_db


def test_search_answers_a_screen_text_with_the_sites_own_results(client, loaded_kb):
    answer = client.get("/api/v1/search", {"q": "请重新签到", "lang": "zh-hans", "limit": 5})
    site = client.get("/api/search", {"q": "请重新签到", "lang": "zh-hans", "limit": 5}).json()
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert results[0]["url"].endswith("/articles/re-sign-in-prompt/")
    assert [hit["title"] for hit in results] == [hit["title"] for hit in site["results"]]


def test_a_code_in_a_sentence_finds_the_codes_page_in_english(client, loaded_kb):
    answer = client.get("/api/v1/search", {"q": "terminal says A0 MAC error", "lang": "en"})
    assert answer.json()["results"][0]["url"].endswith("/en/codes/A0/")


def test_a_card_number_in_a_query_is_masked_before_it_is_searched_or_answered(client, loaded_kb):
    from kb.search.models import SearchLog

    answer = client.get("/api/v1/search", {"q": "card 4111 1111 1111 1111 declined"}).json()
    assert "4111111111111111" not in answer["query"].replace(" ", "")
    assert SearchLog.objects.exists()
    assert not any("4111111111111111" in row.query.replace(" ", "") for row in SearchLog.objects.all())


def test_an_article_comes_in_the_language_asked_for_with_its_html(client, loaded_kb):
    zh = client.get("/api/v1/articles/re-sign-in-prompt", {"lang": "zh-hans"}).json()
    en = client.get("/api/v1/articles/re-sign-in-prompt", {"lang": "en"}).json()
    assert zh["language"] == "zh-hans" and en["language"] == "en"
    assert zh["title"] != en["title"]
    assert "<h2" in en["body_html"] or "<p" in en["body_html"]


def test_a_missing_article_is_a_problem_document(client, loaded_kb):
    answer = client.get("/api/v1/articles/no-such-thing", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["title"] == "Not found"


def test_problems_speak_the_callers_language(client, loaded_kb):
    zh = client.get("/api/v1/articles/no-such-thing", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    en = client.get("/api/v1/articles/no-such-thing", HTTP_ACCEPT_LANGUAGE="en-US")
    assert zh.json()["title"] != en.json()["title"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.json()["title"])


def test_codes_list_every_published_code_with_its_screen_texts(client, loaded_kb):
    from kb.models import ResponseCode

    codes = client.get("/api/v1/codes", {"lang": "en"}).json()
    assert {row["code"] for row in codes} == set(
        ResponseCode.objects.filter(is_published=True).values_list("code", flat=True)
    )
    a0 = next(row for row in codes if row["code"] == "A0")
    assert a0["resign"] == "yes" and a0["screen_texts"]


def test_an_unchanged_answer_is_304_without_a_body(client, loaded_kb):
    first = client.get("/api/v1/categories", {"lang": "en"})
    again = client.get("/api/v1/categories", {"lang": "en"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert first.status_code == 200 and first["ETag"]
    assert again.status_code == 304 and again.content == b""
    other = client.get("/api/v1/categories", {"lang": "zh-hans"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert other.status_code == 200


def test_a_wrong_language_or_limit_is_refused_with_the_field_named(client, loaded_kb):
    answer = client.get("/api/v1/search", {"q": "A0", "lang": "fr", "limit": 5})
    assert answer.status_code == 400
    assert "lang" in answer.json()["errors"]
    answer = client.get("/api/v1/search", {"q": "A0", "limit": 500})
    assert "limit" in answer.json()["errors"]


def test_anonymous_callers_are_limited_per_address_with_retry_after(client, loaded_kb, settings):
    settings.API_PUBLIC_RATE_LIMIT = 3
    answers = [client.get("/api/v1/codes/A0", REMOTE_ADDR="203.0.113.9") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert client.get("/api/v1/codes/A0", REMOTE_ADDR="203.0.113.10").status_code == 200


def test_the_old_search_address_keeps_working(client, loaded_kb):
    answer = client.get("/api/search", {"q": "请重新签到"})
    assert answer.status_code == 200 and answer.json()["results"]


def test_the_openapi_document_and_its_page_are_served_locally(client):
    document = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/search", "/api/v1/tickets", "/api/v1/agent/tickets/{reference}"} <= set(document["paths"])
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def test_an_answer_names_its_own_language_whichever_way_it_was_chosen(client, loaded_kb):
    asked = client.get("/api/v1/categories", {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    header = client.get("/api/v1/codes/A0", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert asked["Content-Language"] == "en" and asked.json()[0]["name"] == "Start here"
    assert header["Content-Language"] == "en" and header.json()["name"] == "MAC verification failed"
