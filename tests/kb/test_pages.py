"""Public knowledge-base pages: home, categories, articles, drafts, response codes, sitemap, languages."""

from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.conf import settings

from kb import selectors
from kb.models import Article, Category, ResponseCode

pytestmark = pytest.mark.usefixtures("loaded_kb")

HUB = "/articles/re-sign-in-prompt/"


class _Page(HTMLParser):
    """The parts of a page a test looks at: elements with their attributes, and the visible text."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text_parts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data):
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def find(self, tag: str, **attrs) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def links(self) -> set[str]:
        return {a["href"] for a in self.find("a") if "href" in a}


def _page(response) -> _Page:
    return _Page(response.content.decode())


def _sitemap_locations(client) -> set[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    # Our own sitemap, not untrusted input.
    root = ElementTree.fromstring(response.content)  # noqa: S314
    return {urlsplit(loc.text).path for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}


# --- Home ------------------------------------------------------------------------------------------


def test_home_shows_a_search_box(client):
    page = _page(client.get("/"))

    assert page.find("form", role="search", action="/search/")
    assert page.find("input", name="q", type="search")


def test_home_lists_the_most_common_response_codes(client):
    links = _page(client.get("/")).links()

    assert {f"/codes/{code}/" for code in selectors.COMMON_CODES} <= links


def test_home_lists_every_category_that_has_articles(client):
    links = _page(client.get("/")).links()

    assert {category.get_absolute_url() for category in Category.objects.all()} <= links


def test_home_leads_to_the_hub_article_first(client):
    page = _page(client.get("/"))

    article_links = [href for href in (a.get("href", "") for a in page.find("a")) if href.startswith("/articles/")]
    assert article_links[0] == HUB


def test_home_does_not_list_a_draft(client, make_article):
    make_article(slug="secret-draft", status=Article.Status.DRAFT)

    assert "/articles/secret-draft/" not in _page(client.get("/")).links()


# --- Categories ------------------------------------------------------------------------------------


def test_a_category_page_lists_its_published_articles(client):
    category = Category.objects.get(slug="causes")

    links = _page(client.get(category.get_absolute_url())).links()

    expected = Article.objects.published().filter(category=category, language="zh-hans")
    assert expected.exists()
    assert {article.get_absolute_url() for article in expected} <= links


def test_a_category_page_in_english_lists_the_english_articles(client):
    response = client.get("/en/categories/causes/")

    page = _page(response)
    assert "Causes" in page.text
    english_titles = Article.objects.published().filter(category__slug="causes", language="en")
    assert all(article.title in page.text for article in english_titles)


def test_a_category_page_does_not_list_a_draft(client, make_article):
    make_article(slug="secret-draft", status=Article.Status.DRAFT, category="causes")

    assert "/articles/secret-draft/" not in _page(client.get("/categories/causes/")).links()


def test_an_unknown_category_is_not_found(client):
    assert client.get("/categories/no-such-category/").status_code == 404


# --- Articles --------------------------------------------------------------------------------------


def test_an_article_page_has_a_table_of_contents_linking_to_its_sections(client):
    page = _page(client.get(HUB))

    heading_ids = {f"#{attrs['id']}" for tag, attrs in page.elements if tag in {"h2", "h3"} and "id" in attrs}
    toc_links = {href for href in page.links() if href.startswith("#") and href != "#main" and href != "#feedback"}
    assert "本页目录" in page.text
    assert toc_links
    assert toc_links <= heading_ids


def test_an_article_page_asks_whether_it_solved_the_problem(client):
    page = _page(client.get(HUB))

    assert "这篇文章解决您的问题了吗？" in page.text
    assert page.find("form", method="post", action="/articles/re-sign-in-prompt/vote/")
    assert {b["value"] for b in page.find("button", name="helpful")} == {"yes", "no"}


def test_an_article_page_offers_to_contact_support_about_this_article(client):
    links = _page(client.get(HUB)).links()

    assert "/tickets/new/?article=re-sign-in-prompt" in links


def test_an_article_page_links_its_response_codes(client):
    links = _page(client.get(HUB)).links()

    assert {"/codes/77/", "/codes/99/", "/codes/A0/"} <= links


def test_an_english_article_is_served_under_en(client):
    response = client.get("/en" + HUB)

    assert response.status_code == 200
    assert Article.objects.get(slug="re-sign-in-prompt", language="en").title in _page(response).text


def test_an_unknown_article_is_not_found(client):
    assert client.get("/articles/no-such-article/").status_code == 404


def test_an_article_page_takes_at_most_six_queries_to_render_and_none_for_the_next_visitor(
    client, django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(6):
        first = client.get(HUB)
    client.cookies.clear()
    with django_assert_num_queries(0):
        again = client.get(HUB)

    assert first.status_code == again.status_code == 200


def test_an_article_page_renders_the_stored_html_without_rendering_markdown_again(client, make_article, monkeypatch):
    make_article(slug="stored-html")

    def fail(*args, **kwargs):
        raise AssertionError("Markdown must be rendered when an article is saved, not per request")

    monkeypatch.setattr("kb.markdown.render", fail)
    monkeypatch.setattr("kb.services.render", fail)

    assert "先检查网络。" in _page(client.get("/articles/stored-html/")).text


# --- Drafts and archived articles ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.ARCHIVED])
@pytest.mark.parametrize("persona", [None, "merchant", "outsider"])
def test_an_unpublished_article_is_not_found_for_the_public(client, make_article, request, status, persona):
    make_article(slug="unpublished", status=status)
    if persona:
        client.force_login(request.getfixturevalue(persona))

    assert client.get("/articles/unpublished/").status_code == 404


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.ARCHIVED])
def test_staff_preview_an_unpublished_article_with_a_banner(staff_client, make_article, status):
    make_article(slug="unpublished", status=status, title="还没发布的文章")

    response = staff_client.get("/articles/unpublished/")

    page = _page(response)
    assert response.status_code == 200
    assert "还没发布的文章" in page.text
    assert "公众看不到" in page.text


def test_a_published_article_shows_staff_no_preview_banner(staff_client):
    assert "公众看不到" not in _page(staff_client.get(HUB)).text


# --- Response codes ------------------------------------------------------------------------------------


def test_the_code_page_explains_a0_in_chinese(client):
    page = _page(client.get("/codes/A0/"))

    assert "MAC校验错" in page.text
    assert "有用。请做一次 POS 签到后重试。" in page.text
    assert ResponseCode.objects.get(code="A0").action_zh in page.text


def test_the_code_page_explains_a0_in_english(client):
    page = _page(client.get("/en/codes/A0/"))

    assert "MAC verification failed" in page.text
    assert "Yes. Sign on (POS sign-on) and try again." in page.text
    assert ResponseCode.objects.get(code="A0").action_zh not in page.text


def test_a_code_page_says_when_signing_on_again_does_not_help(client):
    assert "Signing on again will not fix this code." in _page(client.get("/en/codes/51/")).text


def test_a_code_page_lists_the_articles_about_the_code_carrying_the_code(client):
    assert HUB + "?code=A0" in _page(client.get("/codes/A0/")).links()


@pytest.mark.parametrize(("typed", "expected"), [("/codes/a0/", "/codes/A0/"), ("/en/codes/a0/", "/en/codes/A0/")])
def test_a_lowercase_code_redirects_to_the_capitalized_page(client, typed, expected):
    response = client.get(typed)

    assert response.status_code == 301
    assert response["Location"] == expected


def test_an_unknown_code_is_not_found(client):
    assert client.get("/codes/ZZ/").status_code == 404


@pytest.mark.parametrize(
    ("address", "heading", "language"),
    [
        ("/codes/ZZ/", "本站的返回码表里没有这个代码", "zh-hans"),
        ("/en/codes/ZZ/", "This code is not in our table", "en"),
    ],
)
def test_an_unknown_code_shows_the_help_on_unknown_codes_with_a_search_box(client, address, heading, language):
    response = client.get(address)
    page = _page(response)
    help_page = Article.objects.get(slug=selectors.UNKNOWN_CODES_SLUG, language=language)

    assert response.status_code == 404
    assert heading in page.text
    assert help_page.title in page.text
    assert 'name="q" type="search" maxlength="200" value="ZZ"' in response.content.decode()


def test_an_address_that_is_not_code_shaped_is_a_plain_not_found(client):
    response = client.get("/en/codes/NOPE/")

    assert response.status_code == 404
    assert "This code is not in our table" not in response.content.decode()


def test_an_unpublished_code_is_not_found(client):
    ResponseCode.objects.filter(code="A0").update(is_published=False)

    assert client.get("/codes/A0/").status_code == 404


def test_the_code_index_lists_every_published_code(client):
    links = _page(client.get("/codes/")).links()

    codes = ResponseCode.objects.filter(is_published=True).values_list("code", flat=True)
    assert {f"/codes/{code}/" for code in codes} <= links


def test_the_code_index_in_english_links_to_english_code_pages(client):
    links = _page(client.get("/en/codes/")).links()

    assert "/en/codes/A0/" in links
    assert "/codes/A0/" not in links


# --- Sitemap ------------------------------------------------------------------------------------------


def test_the_sitemap_lists_every_published_article_in_both_languages(client):
    locations = _sitemap_locations(client)

    articles = Article.objects.published()
    assert {"zh-hans", "en"} == set(articles.values_list("language", flat=True))
    assert {article.get_absolute_url() for article in articles} <= locations


def test_the_sitemap_lists_every_code_page_in_both_languages(client):
    locations = _sitemap_locations(client)

    for code in ResponseCode.objects.filter(is_published=True):
        assert {f"/codes/{code.code}/", f"/en/codes/{code.code}/"} <= locations


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.ARCHIVED])
def test_the_sitemap_leaves_out_unpublished_articles(client, make_article, status):
    make_article(slug="unpublished", status=status)
    make_article(slug="unpublished", language="en", status=status, title="Not yet")

    locations = _sitemap_locations(client)

    assert "/articles/unpublished/" not in locations
    assert "/en/articles/unpublished/" not in locations


def test_the_sitemap_leaves_out_unpublished_codes(client):
    ResponseCode.objects.filter(code="A0").update(is_published=False)

    locations = _sitemap_locations(client)

    assert "/codes/A0/" not in locations
    assert "/en/codes/A0/" not in locations


# --- Assets, languages --------------------------------------------------------------------------------


def test_no_page_loads_a_script_stylesheet_or_image_from_another_host(client, public_pages):
    outside = []
    for url in public_pages:
        if url == "/sitemap.xml":
            continue
        page = _page(client.get(url))
        for tag, attrs in page.elements:
            reference = attrs.get("src") if tag in {"script", "img", "iframe", "source"} else None
            if tag == "link":
                reference = attrs.get("href")
            if reference and (urlsplit(reference).netloc or urlsplit(reference).scheme):
                outside.append(f"{url}: <{tag}> {reference}")
    assert outside == []


def test_chinese_is_the_default_language(client):
    response = client.get("/")

    page = _page(response)
    assert page.find("html", lang="zh-hans")
    assert "返回码" in page.text
    assert "描述问题，或输入屏幕上的返回码" in page.text


def test_english_pages_under_en_show_the_english_interface(client):
    response = client.get("/en/")

    page = _page(response)
    assert page.find("html", lang="en")
    assert "Response codes" in page.text
    assert "Describe the problem or type the code on the screen" in page.text
    assert "返回码" not in page.text


def test_english_pages_link_to_english_pages(client):
    links = _page(client.get("/en/")).links()

    assert "/en/codes/" in links
    assert "/en/articles/re-sign-in-prompt/" in links


def test_the_language_switch_redirects_to_the_same_page_in_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": HUB})

    assert response.status_code == 302
    assert response["Location"] == "/en" + HUB


def test_the_language_switch_is_remembered_in_a_lasting_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": HUB})

    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert int(cookie["max-age"]) >= 30 * 24 * 3600


def test_a_visitor_who_chose_english_gets_english_when_coming_back_to_an_unprefixed_address(client):
    client.post("/i18n/setlang/", {"language": "en", "next": HUB})

    response = client.get("/codes/A0/?from=bookmark")

    assert response.status_code == 302
    assert response["Location"] == "/en/codes/A0/?from=bookmark"


def test_switching_back_to_chinese_leaves_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": HUB})

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/en" + HUB})

    assert response["Location"] == HUB
    assert client.get(HUB).status_code == 200


def test_the_page_offers_a_switch_to_the_other_language(client):
    zh = _page(client.get(HUB))
    en = _page(client.get("/en" + HUB))

    assert zh.find("button", name="language", value="en")
    assert en.find("button", name="language", value="zh-hans")
    assert zh.find("input", name="next", value=HUB)


def test_the_home_page_names_a_few_articles_per_category_and_links_to_the_rest(client, make_article):
    from kb.selectors import HOME_ARTICLES_PER_CATEGORY

    for n in range(HOME_ARTICLES_PER_CATEGORY + 3):
        make_article(slug=f"many-{n}", title=f"很多文章之{n:02d}", category="start-here")
    page = client.get("/").content.decode()
    start_here = page.split('id="cat-start-here"')[1].split("</section>")[0]

    assert start_here.count("<li>") == HOME_ARTICLES_PER_CATEGORY
    assert 'href="/categories/start-here/"' in start_here and "全部" in start_here
