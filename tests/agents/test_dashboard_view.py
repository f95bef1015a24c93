"""The dashboard page: agents only, GET only, a validated period, escaped labels, a bounded query count."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from kb.models import Article, Category
from tests.agents.dashboard_helpers import search, ticket, ticket_row, vote
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/agent/dashboard/"


@pytest.mark.parametrize("persona", ["merchant", "editor", "outsider"])
def test_anyone_signed_in_but_an_agent_gets_404(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 404
    assert client.get("/en" + URL).status_code == 404


@pytest.mark.parametrize("persona", ["agent", "view_only_staff"])
def test_an_agent_sees_the_dashboard_even_one_who_may_only_read(client, request, persona):
    # The dashboard only reads, so the read permission that makes an agent is enough.
    client.force_login(request.getfixturevalue(persona))

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["data"].days == 7


def test_the_dashboard_only_answers_get(client, agent):
    client.force_login(agent)

    assert client.post(URL).status_code == 405


def test_the_url_is_named_and_chinese_by_default(client, agent):
    client.force_login(agent)
    with translation.override("zh-hans"):
        assert reverse("agents:dashboard") == URL

    response = client.get(URL)

    assert 'lang="zh-hans"' in response.text
    assert "数据看板" in response.text


def test_the_english_dashboard_is_in_english(client, agent):
    ticket(created_at=timezone.now(), status=Ticket.Status.WAITING_ON_MERCHANT)
    client.force_login(agent)

    response = client.get("/en" + URL)

    assert 'lang="en"' in response.text
    assert "Waiting on merchant" in response.text  # the agents' word, not the merchant page's
    assert "Open tickets by status and priority" in response.text
    assert "数据看板" not in response.text


@pytest.mark.parametrize("days", [7, 30, 90])
def test_the_period_is_chosen_by_get(client, agent, days):
    client.force_login(agent)

    response = client.get(URL, {"days": days})

    assert response.context["data"].days == days
    assert not response.context["form"].errors


@pytest.mark.parametrize("days", ["365", "abc", "-7", "7 OR 1=1"])
def test_an_unoffered_period_falls_back_to_the_default_and_says_so(client, agent, days):
    client.force_login(agent)

    response = client.get(URL, {"days": days})

    assert response.status_code == 200
    assert response.context["data"].days == 7
    assert response.context["form"].errors


def test_with_no_data_every_section_shows_a_friendly_empty_state(client, agent):
    client.force_login(agent)

    response = client.get("/en" + URL)

    assert "<svg" not in response.text
    for message in (
        "No open tickets. The queue is empty.",
        "No new tickets in this time.",
        "No ticket named a response code in this period.",
        "No ticket came from an article in this period.",
        "No article was voted “not helpful” in this period.",
        "Every search found something in this period.",
    ):
        assert message in response.text


@pytest.fixture
def evil_article(db):
    category = Category.objects.create(slug="evil", name_zh="坏", name_en="Evil")
    return Article.objects.create(
        slug="evil", language="zh-hans", category=category, title='<script>alert("x")</script>', status="published"
    )


def _svgs(html: str) -> list[str]:
    found, start = [], html.find("<svg")
    while start != -1:
        end = html.index("</svg>", start) + len("</svg>")
        found.append(html[start:end])
        start = html.find("<svg", end)
    return found


def test_an_article_title_with_markup_is_escaped_in_charts_and_tables(client, agent, evil_article):
    now = timezone.now()
    ticket(created_at=now - timedelta(hours=2), article_slug=evil_article.slug, response_code="A0")
    vote(article=evil_article, helpful=False, at=now)
    client.force_login(agent)

    response = client.get(URL)

    assert '<script>alert("x")</script>' not in response.text
    assert "&lt;script&gt;" in response.text
    svgs = _svgs(response.text)
    assert len(svgs) == 4  # open tickets, per day, codes, articles
    for svg in svgs:
        ET.fromstring(svg)  # noqa: S314 (our own page, parsed to prove the SVG is well-formed)


def test_content_gaps_link_to_the_admin_pages_where_editors_act(client, agent, evil_article):
    now = timezone.now()
    vote(article=evil_article, helpful=False, at=now)
    search(query="刷脸支付", results=0, at=now)
    client.force_login(agent)

    response = client.get(URL)

    assert f'href="/admin/kb/article/{evil_article.pk}/change/"' in response.text
    assert "/admin/kb/searchlog/?q=" in response.text
    assert "/admin/kb/article/add/?title=" in response.text
    assert "/admin/kb/searchlog/analytics/?days=7" in response.text


def _mixed_tickets(count: int, offset: int) -> list[Ticket]:
    now = timezone.now()
    statuses, priorities = list(Ticket.Status), list(Ticket.Priority)
    codes, slugs = ["A0", "51", "55", "96", ""], ["a", "b", "c", ""]
    return [
        ticket_row(
            status=statuses[i % len(statuses)],
            priority=priorities[i % len(priorities)],
            response_code=codes[i % len(codes)],
            article_slug=slugs[i % len(slugs)],
            first_response_due=now - timedelta(hours=i % 5),
            first_responded_at=now if i % 2 else None,
            resolution_due=now + timedelta(hours=i % 7 - 3),
        )
        for i in range(offset, offset + count)
    ]


def _queries(client) -> int:
    """Queries of a request that computes the figures (none kept in the cache): the most a request costs."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, {"days": 30}).status_code == 200
    return len(captured)


def test_the_query_count_does_not_grow_with_the_number_of_tickets(client, agent):
    client.force_login(agent)
    Ticket.objects.bulk_create(_mixed_tickets(10, 0))
    small = _queries(client)

    Ticket.objects.bulk_create(_mixed_tickets(490, 10))
    large = _queries(client)

    assert Ticket.objects.count() == 500
    assert small == large
    assert large <= 22  # two of them read the merchants' feedback, fresh (agents/csat.py)
