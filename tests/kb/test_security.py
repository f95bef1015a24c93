"""Issue 7 on the knowledge-base side: card numbers never reach the search log, analytics have limits,
Markdown URLs are judged as browsers read them, pathological Markdown renders quickly, drafts need a
kb permission and the vote cookies are Secure in production."""

import unicodedata

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from kb.markdown import render
from kb.models import Article, ArticleVote
from kb.search.models import SearchLog
from tests.tickets.conftest import CARD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_kb")]

SPACED = "4111\u30001111\u30001111\u30001111"


def _logged_text() -> str:
    return " ".join(f"{log.query} {log.normalized}" for log in SearchLog.objects.all())


# --- The search log ------------------------------------------------------------------------------


@pytest.mark.parametrize("card", [CARD, SPACED, "４１１１－１１１１－１１１１－１１１１"])
def test_the_api_never_logs_a_card_number(client, card):
    response = client.get("/api/search", {"q": f"刷卡 {card} 请重新签到", "suggest": "1"})

    assert response.status_code == 200
    assert SearchLog.objects.count() == 1
    assert CARD not in _logged_text().replace(" ", "")
    assert "411111" in _logged_text()


def test_the_api_accepts_the_query_by_post_so_it_stays_out_of_urls(client):
    response = client.post("/api/search", {"q": f"请重新签到 卡号{CARD}", "lang": "zh-hans", "suggest": "1"})

    assert response.status_code == 200
    assert response.json()["results"]
    assert CARD not in response.content.decode()
    assert SearchLog.objects.get().source == SearchLog.Source.SUGGEST
    assert CARD not in _logged_text()


def test_a_posted_search_needs_the_csrf_token():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/api/search", {"q": "请重新签到"})

    assert response.status_code == 403


def test_the_results_page_sends_a_card_number_away_masked(client):
    response = client.get("/search/", {"q": f"{SPACED} 请重新签到"})

    assert response.status_code == 302
    assert "411111" in response["Location"] and "1111%E3%80%801111" not in response["Location"]
    assert not SearchLog.objects.exists()
    followed = client.get(response["Location"])
    assert followed.status_code == 200
    assert CARD not in followed.content.decode()
    assert CARD not in _logged_text()


# Every way a search reaches the log. The library logs what it is given (kb.search imports nothing from the
# site), so this is what proves the views mask before searching.
ENTRY_POINTS = {
    "results page": ("get", "/search/", {}),
    "api": ("get", "/api/search", {}),
    "suggestions": ("get", "/api/search", {"suggest": "1"}),
    "posted api": ("post", "/api/search", {}),
    "posted suggestions": ("post", "/api/search", {"suggest": "1"}),
}


def _digits_only(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())


@pytest.mark.parametrize("card", [CARD, SPACED, "４１１１－１１１１－１１１１－１１１１"])
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_no_entry_point_lets_a_card_number_reach_the_search_log(client, entry, card):
    method, url, extra = ENTRY_POINTS[entry]

    response = getattr(client, method)(url, {"q": f"刷卡 {card} 请重新签到"} | extra, follow=True)

    assert response.status_code == 200
    assert SearchLog.objects.count() == 1
    assert _digits_only(CARD) not in _digits_only(_logged_text())
    assert "签到" in _logged_text()


# --- Limits on analytics -------------------------------------------------------------------------


def test_searches_past_the_log_limit_are_served_but_not_recorded(client, settings):
    settings.SEARCH_LOG_PER_MINUTE = 3
    for n in range(5):
        assert client.get("/api/search", {"q": f"签到 {n}"}).status_code == 200

    assert SearchLog.objects.count() == 3


def test_results_not_recorded_link_straight_to_the_page(client, settings):
    settings.SEARCH_LOG_PER_MINUTE = 1
    client.get("/api/search", {"q": "签到"})
    results = client.get("/api/search", {"q": "签到"}).json()["results"]

    assert results and all(r["open_url"] == r["url"] for r in results)


def test_too_many_searches_from_one_address_are_refused_with_a_message(client, settings):
    settings.SEARCH_RATE_PER_MINUTE = 2
    client.get("/en/search/", {"q": "sign on"})
    client.get("/en/search/", {"q": "sign on"})
    response = client.get("/en/search/", {"q": "sign on"})

    assert response.status_code == 429
    assert "Too many searches" in response.content.decode()
    assert client.get("/api/search", {"q": "sign on"}).status_code == 429


def test_result_clicks_past_the_limit_still_open_the_page_without_counting(client, settings):
    settings.SEARCH_OPEN_PER_MINUTE = 1
    first_link = client.get("/api/search", {"q": "签到"}).json()["results"][0]["open_url"]
    second_link = client.get("/api/search", {"q": "签到"}).json()["results"][0]["open_url"]

    assert client.get(first_link).status_code == 302
    response = client.get(second_link)

    first, second = SearchLog.objects.order_by("created_at", "pk")
    assert response.status_code == 302 and response["Location"].split("?")[0] == second.results[0]
    assert (first.opened_position, second.opened_position) == (1, None)


def test_votes_without_a_visitor_cookie_are_limited_per_address(client, settings):
    settings.VOTE_NEW_VISITOR_PER_HOUR = 2
    hub = Article.objects.get(slug="re-sign-in-prompt", language="zh-hans")
    for _n in range(4):
        client.cookies.clear()
        client.post(f"/articles/{hub.slug}/vote/", {"helpful": "yes"})

    assert ArticleVote.objects.filter(article=hub).count() == 2


def test_a_returning_visitor_may_still_change_their_vote_past_the_limit(client, settings):
    settings.VOTE_NEW_VISITOR_PER_HOUR = 1
    hub = Article.objects.get(slug="re-sign-in-prompt", language="zh-hans")
    client.post(f"/articles/{hub.slug}/vote/", {"helpful": "yes"})
    client.post(f"/articles/{hub.slug}/vote/", {"helpful": "no"})

    assert list(ArticleVote.objects.filter(article=hub).values_list("helpful", flat=True)) == [False]


@pytest.mark.parametrize("secure", [True, False])
def test_the_vote_cookies_follow_the_secure_cookie_setting(client, settings, secure):
    settings.SESSION_COOKIE_SECURE = secure
    response = client.post("/articles/re-sign-in-prompt/vote/", {"helpful": "yes"})

    voted = [c for name, c in response.cookies.items() if name.startswith("kb_")]
    assert len(voted) == 2
    assert all(bool(c["secure"]) is secure for c in voted)


# --- Drafts ---------------------------------------------------------------------------------------


def test_staff_without_a_kb_permission_cannot_read_a_draft(client, make_article):
    make_article(slug="secret-draft", status=Article.Status.DRAFT)
    staff = get_user_model().objects.create_user(username="clerk", password="x", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename="view_ticket"))
    client.force_login(staff)

    assert client.get("/articles/secret-draft/").status_code == 404


def test_an_editor_can_preview_a_draft(client, make_article, editor):
    make_article(slug="secret-draft", status=Article.Status.DRAFT)
    client.force_login(editor)

    assert client.get("/articles/secret-draft/").status_code == 200


# --- Markdown -------------------------------------------------------------------------------------


def _off_site(url: str) -> bool:
    """Where a browser would go: it drops tabs and line breaks and reads backslashes as slashes."""
    from urllib.parse import urljoin, urlsplit

    cleaned = url.strip().replace("\t", "").replace("\n", "").replace("\\", "/")
    return urlsplit(urljoin("https://help.example.com/articles/x/", cleaned)).hostname != "help.example.com"


def _srcs(html: str) -> list[str]:
    import re
    from html import unescape

    return [unescape(m) for m in re.findall(r'(?:src|href)="([^"]*)"', html)]


# As typed in Markdown (a backslash escapes the next character, so "\\\\" reaches the page as "\\").
MARKDOWN_URLS = [
    "/\\evil.example/p.png",
    "\\\\\\\\evil.example/p.png",
    "///evil.example/p.png",
    "\\/evil.example/p.png",
    "https://evil.example/p.png",
    "<//evil.example/p.png>",
]
# As they reach the sanitizer in raw HTML.
HTML_URLS = [
    "/\\evil.example/p.png",
    "\\\\evil.example/p.png",
    "///evil.example/p.png",
    "/\t/evil.example/p.png",
    " \n//evil.example/p.png",
    "\\/evil.example/p.png",
]


@pytest.mark.parametrize("url", MARKDOWN_URLS)
def test_markdown_images_from_other_sites_are_dropped_however_the_url_is_written(url):
    html, _toc = render(f"![pixel]({url})", language="en")

    assert not any(_off_site(src) for src in _srcs(html))


@pytest.mark.parametrize("url", HTML_URLS)
def test_sanitized_images_never_point_off_site(url):
    from kb.markdown import sanitize

    html = sanitize(f'<img alt="x" src="{url}">')

    assert not any(_off_site(src) for src in _srcs(html))


def test_an_image_on_this_site_is_kept():
    html, _toc = render("![screen](/media/kb/abc.png)", language="en")

    assert 'src="/media/kb/abc.png"' in html


@pytest.mark.parametrize("url", ["/\\evil.example/x", "\\\\\\\\evil.example/x", "//evil.example/x"])
def test_a_link_that_browsers_would_take_off_site_says_so(url):
    html, _toc = render(f"[next]({url})", language="en")

    assert 'href="https://evil.example/x"' in html


@pytest.mark.parametrize(
    "text",
    ["[" * 50_000 + "]" * 50_000, "[" * 100_000, "[a](" * 50_000, "![" * 50_000, "[x" * 50_000 + "](y)" * 50_000],
    ids=["nested", "unclosed", "open links", "open images", "mixed"],
)
def test_pathological_brackets_render_as_text_in_bounded_work(text, monkeypatch):
    """Counted, not timed: the inline patterns see at most the budget's worth of brackets."""
    import markdown.inlinepatterns as patterns

    from kb import markdown as kb_markdown

    calls = {"n": 0}
    original = patterns.LinkInlineProcessor.handleMatch

    def counting(self, m, data):
        calls["n"] += 1
        return original(self, m, data)

    monkeypatch.setattr(patterns.LinkInlineProcessor, "handleMatch", counting)
    html, _toc = render(text, language="en")

    assert calls["n"] ** 2 <= kb_markdown.BRACKET_BUDGET
    assert "[" in html


def test_ordinary_links_still_work_next_to_a_pathological_paragraph():
    html, _toc = render("[" * 5_000 + "\n\nSee [the codes](/codes/).", language="en")

    assert '<a href="/codes/"' in html
