"""Scheduled publishing and internal articles: who sees an article, when, and where (kb/access.py,
ArticleQuerySet, the search index). The clock is moved, not the data, to show that nothing has to run
when a scheduled article's time comes."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kb.models import Article

from .search_helpers import keys, make_article, update_article

pytestmark = pytest.mark.usefixtures("loaded_kb")

WORD = "蓝鲸热敏纸卷"  # in no shipped article, so a search for it finds only the test article
TOMORROW = timedelta(days=1)


@pytest.fixture
def clock(monkeypatch):
    """Move "now" forward for everything that asks django.utils.timezone."""
    real_now = timezone.now

    def move(delta: timedelta):
        monkeypatch.setattr(timezone, "now", lambda: real_now() + delta)

    return move


@pytest.fixture
def scheduled():
    return make_article(
        slug="scheduled", title=f"{WORD}怎么装", body=f"{WORD}的安装方法。", publish_at=timezone.now() + TOMORROW
    )


@pytest.fixture
def internal():
    return make_article(
        slug="internal", title=f"{WORD}内部处理", body="客服内部流程。", visibility=Article.Visibility.INTERNAL
    )


def _sitemap() -> str:
    return Client().get(reverse("sitemap")).content.decode()


def _suggestions(query: str) -> list[str]:
    data = Client().get("/api/search", {"q": query, "lang": "zh-hans", "suggest": "1"}).json()
    return [result["url"] for result in data["results"]]


# --- Scheduled publishing ------------------------------------------------------------------------------


def test_a_scheduled_article_is_not_found_before_its_time(client, scheduled):
    assert client.get(scheduled.get_absolute_url()).status_code == 404


def test_a_scheduled_article_appears_when_its_time_comes(client, scheduled, clock):
    clock(TOMORROW + timedelta(minutes=1))

    assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_a_scheduled_article_is_not_in_search_or_suggestions_before_its_time(scheduled):
    assert "scheduled" not in keys(WORD)
    assert scheduled.get_absolute_url() not in _suggestions(WORD)


def test_a_scheduled_article_is_found_by_search_once_its_time_comes(scheduled, clock):
    clock(TOMORROW + timedelta(minutes=1))

    assert keys(WORD)[0] == "scheduled"
    assert scheduled.get_absolute_url() in _suggestions(WORD)


def test_a_scheduled_article_is_listed_in_its_category_and_the_sitemap_only_from_its_time(scheduled, clock):
    category_url = reverse("kb:category", kwargs={"slug": scheduled.category.slug})
    assert scheduled.get_absolute_url() not in Client().get(category_url).content.decode()
    assert scheduled.get_absolute_url() not in _sitemap()

    clock(TOMORROW + timedelta(minutes=1))

    assert scheduled.get_absolute_url() in Client().get(category_url).content.decode()
    assert scheduled.get_absolute_url() in _sitemap()


def test_an_editor_previews_a_scheduled_article_with_its_time(client, editor, scheduled):
    client.force_login(editor)

    response = client.get(scheduled.get_absolute_url())

    assert response.status_code == 200
    assert timezone.localtime(scheduled.publish_at).strftime("%Y-%m-%d %H:%M") in response.content.decode()


def test_an_article_scheduled_in_the_admin_waits_for_its_time(client, editor, clock):
    from .test_admin import _form_data

    when = timezone.localtime() + TOMORROW
    client.force_login(editor)
    data = _form_data(publish_at_0=when.strftime("%Y-%m-%d"), publish_at_1=when.strftime("%H:%M"))

    assert client.post(reverse("admin:kb_article_add"), data).status_code == 302
    article = Article.objects.get(slug="printer-no-paper")
    assert Client().get(article.get_absolute_url()).status_code == 404
    clock(TOMORROW + timedelta(minutes=1))
    assert Client().get(article.get_absolute_url()).status_code == 200


def test_scheduling_a_draft_is_refused_with_a_message(client, editor):
    from .test_admin import _form_data

    when = timezone.localtime() + TOMORROW
    client.force_login(editor)
    data = _form_data(status="draft", publish_at_0=when.strftime("%Y-%m-%d"), publish_at_1=when.strftime("%H:%M"))

    response = client.post(reverse("admin:kb_article_add"), data)

    assert response.status_code == 200
    assert not Article.objects.filter(slug="printer-no-paper").exists()


def test_moving_the_publish_time_forward_hides_a_published_article_again(client):
    article = make_article(slug="moved", title=f"{WORD}移动", body="正文。")
    update_article(article, publish_at=timezone.now() + TOMORROW)

    assert client.get(article.get_absolute_url()).status_code == 404
    assert "moved" not in keys(WORD)


# --- Internal articles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [None, "merchant", "outsider"])
def test_an_internal_article_is_not_found_by_merchants_or_anonymous_visitors(client, request, internal, persona):
    if persona:
        client.force_login(request.getfixturevalue(persona))

    assert client.get(internal.get_absolute_url()).status_code == 404


def test_an_agent_reads_an_internal_article(client, agent, internal):
    client.force_login(agent)

    response = client.get(internal.get_absolute_url())

    assert response.status_code == 200
    assert "客服内部流程" in response.content.decode()


def test_staff_without_ticket_permission_do_not_read_internal_articles(client, internal):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user(username="clerk", is_staff=True))

    assert client.get(internal.get_absolute_url()).status_code == 404


def test_an_internal_article_is_never_in_search_suggestions_or_the_sitemap(internal):
    assert "internal" not in keys(WORD)
    assert internal.get_absolute_url() not in _suggestions(WORD)
    assert internal.get_absolute_url() not in _sitemap()


def test_an_internal_article_is_listed_in_its_category_for_agents_only(client, agent, internal):
    url = reverse("kb:category", kwargs={"slug": internal.category.slug})
    assert internal.get_absolute_url() not in Client().get(url).content.decode()

    client.force_login(agent)

    assert internal.get_absolute_url() in client.get(url).content.decode()


def test_making_a_public_article_internal_takes_it_out_of_search(client):
    article = make_article(slug="was-public", title=f"{WORD}公开", body="正文。")
    assert "was-public" in keys(WORD)

    update_article(article, visibility=Article.Visibility.INTERNAL)

    assert "was-public" not in keys(WORD)
    assert client.get(article.get_absolute_url()).status_code == 404


# --- Drafts --------------------------------------------------------------------------------------------


def test_a_draft_is_not_readable_by_staff_without_knowledge_base_permissions(client, agent):
    draft = make_article(slug="draft", title="草稿", status=Article.Status.DRAFT)
    client.force_login(agent)

    assert client.get(draft.get_absolute_url()).status_code == 404


def test_an_editor_previews_a_draft(client, editor):
    draft = make_article(slug="draft", title="草稿", status=Article.Status.DRAFT)
    client.force_login(editor)

    assert client.get(draft.get_absolute_url()).status_code == 200
