"""Public pages come from the shared page cache for anonymous visitors: fast, yet fresh and safe."""

import gzip
import re

import pytest
from django.test import Client

from infra.pagecache import CSRF_PLACEHOLDER
from kb import services
from kb.models import Article, Category, TerminalModel
from tests.kb.search_helpers import update_article

pytestmark = pytest.mark.usefixtures("loaded_kb")

HUB = "/articles/re-sign-in-prompt/"
FORM = "/tickets/new/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def hub():
    return Article.objects.get(slug="re-sign-in-prompt", language="zh-hans")


def _text(response) -> str:
    return response.content.decode()


def test_the_second_visitor_gets_the_page_without_a_query(django_assert_num_queries):
    Client().get("/")
    with django_assert_num_queries(0):
        response = Client().get("/")
    assert response.status_code == 200 and "请重新签到" in _text(response)


def test_each_visitor_gets_their_own_working_csrf_token(hub):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    tokens = [TOKEN.findall(_text(visitor.get(HUB))) for visitor in (first, second)]

    assert all(tokens) and tokens[0][0] != tokens[1][0]
    assert CSRF_PLACEHOLDER not in _text(second.get(HUB))
    vote = second.post(HUB + "vote/", {"helpful": "yes", "csrfmiddlewaretoken": tokens[1][0]})
    assert vote.status_code == 302


def test_a_signed_in_merchant_never_gets_the_anonymous_page(client, merchant):
    Client().get("/")
    client.force_login(merchant)

    page = _text(client.get("/"))

    assert "退出登录" in page
    assert 'href="/accounts/login/"' not in page


def test_the_message_after_a_vote_is_shown_and_not_shared(client):
    Client().get(HUB)
    thanked = client.post(HUB + "vote/", {"helpful": "yes"}, follow=True)

    assert "谢谢！很高兴这篇文章帮到了您。" in _text(thanked)
    assert "谢谢！很高兴这篇文章帮到了您。" not in _text(Client().get(HUB))


def test_an_edit_shows_at_once_to_every_visitor(hub):
    Client().get(HUB)
    update_article(hub, title="签到失败时先看这里")

    assert "签到失败时先看这里" in _text(Client().get(HUB))
    assert "签到失败时先看这里" in _text(Client().get("/"))


def test_a_vote_updates_the_count_on_the_article(hub):
    Client().get(HUB)
    for visitor in ("a", "b"):
        services.article_vote(article=hub, visitor=visitor, helpful=True)

    assert "2 位商户觉得有帮助" in _text(Client().get(HUB))


def test_the_visitor_s_earlier_answer_is_theirs_alone(client):
    client.post(HUB + "vote/", {"helpful": "yes"})

    assert "您说这篇文章有帮助，谢谢。" in _text(client.get(HUB))
    assert "您说这篇文章有帮助，谢谢。" not in _text(Client().get(HUB))


def test_a_chosen_terminal_model_shows_only_to_the_visitor_who_chose_it(client):
    terminal = TerminalModel.objects.filter(is_published=True).first()
    client.get(HUB, {"terminal": terminal.slug})

    assert terminal.name_zh in _text(client.get(HUB))
    stranger = _text(Client().get(HUB))
    assert f'value="{terminal.slug}" selected' not in stranger


def test_a_category_change_reaches_the_home_page():
    Client().get("/")
    category = Category.objects.get(slug="start-here")
    services.category_save(
        slug=category.slug, order=category.order, name_zh="先看这里（新）", name_en=category.name_en, instance=category
    )

    assert "先看这里（新）" in _text(Client().get("/"))


def test_a_form_on_a_cached_page_posts_for_a_new_and_a_returning_visitor(hub):
    Client().get(HUB)  # stored
    visitor = Client(enforce_csrf_checks=True)
    for _visit in range(2):  # without the CSRF cookie, then with the one the first visit set
        token = TOKEN.findall(_text(visitor.get(HUB)))[0]
        vote = visitor.post(HUB + "vote/", {"helpful": "yes", "csrfmiddlewaretoken": token})
        assert vote.status_code == 302


def test_a_repeat_visit_costs_a_304_until_the_page_changes(hub):
    visitor = Client()
    visitor.get(HUB)  # a first visit: the CSRF cookie the page's token needs starts here, so no ETag yet
    etag = visitor.get(HUB)["ETag"]

    assert visitor.get(HUB, headers={"if-none-match": etag}).status_code == 304
    update_article(hub, title="新标题")
    again = visitor.get(HUB, headers={"if-none-match": etag})
    assert again.status_code == 200 and "新标题" in _text(again)


def test_a_304_is_never_given_for_a_token_the_visitor_no_longer_has(hub):
    visitor = Client()
    visitor.get(HUB)
    etag = visitor.get(HUB)["ETag"]
    visitor.cookies["csrftoken"] = "x" * 32  # rotated since, e.g. by signing in and out

    assert visitor.get(HUB, headers={"if-none-match": etag}).status_code == 200


def test_shared_caches_are_told_not_to_keep_the_page():
    response = Client().get(HUB)
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]


def test_chinese_and_english_pages_are_kept_apart():
    Client().get(HUB)
    english = _text(Client().get("/en" + HUB))
    assert 'lang="en"' in english


def test_every_blank_ticket_form_has_its_own_key_and_suggests_no_time():
    pages = [_text(Client().get(FORM)) for _ in range(2)]
    keys = [re.search(r'name="submission_key" value="([^"]+)"', page).group(1) for page in pages]

    assert keys[0] != keys[1] and all(len(key) >= 32 for key in keys)
    # "When did it happen?" is the merchant's pick; a time filled in for them was taken for a fact.
    assert not any(re.search(r'name="occurred_at" value="', page) for page in pages)
    assert not any("pagecache-fresh" in page for page in pages)


def test_a_blank_ticket_form_is_never_answered_with_a_304():
    visitor = Client()
    visitor.get(FORM)
    etag = visitor.get(FORM)["ETag"]
    assert visitor.get(FORM, headers={"if-none-match": etag}).status_code == 200


def test_the_page_cache_can_be_turned_off(settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_SECONDS = 0
    Client().get("/")
    with CaptureQueriesContext(connection) as queries:
        Client().get("/")
    assert len(queries) > 0


def test_a_phone_that_accepts_gzip_gets_the_page_compressed_and_complete():
    Client().get(HUB)
    plain = Client().get(HUB)
    packed = Client().get(HUB, headers={"accept-encoding": "gzip, deflate, br"})

    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    text = gzip.decompress(packed.content).decode()
    assert TOKEN.search(text) and CSRF_PLACEHOLDER not in text
    assert len(packed.content) < len(plain.content) / 2
    assert TOKEN.sub("", text) == TOKEN.sub("", _text(plain))
    assert "Content-Encoding" not in plain


def test_a_cached_page_holds_one_token_in_all_its_forms(hub):
    visitor = Client()
    first = TOKEN.findall(_text(visitor.get(HUB)))  # stored; a first visit (the secret starts here)
    returning = TOKEN.findall(_text(visitor.get(HUB)))  # with the cookie now
    assert len(first) >= 2 and len(set(first)) == 1
    assert len(returning) == len(first) and len(set(returning)) == 1
