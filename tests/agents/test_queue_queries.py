"""The queue page costs the same number of SQL queries whatever the number of tickets or the page size."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agents.models import SavedView
from tests.agents.conftest import bulk_tickets
from tickets.models import Ticket
from tickets.services.routing import team_save

pytestmark = pytest.mark.django_db

LIMIT = 15
# The first view of the day costs no more: a cleared cache, a fresh user object (the session, the user, their
# permissions in one query, the agents' and teams' lists each in one, then the queue's own reads).
COLD_LIMIT = 10
# What a request costs once the rights kept until they change (permissions, the agents' and teams' lists) are
# in the cache, as they are all day long: after any ticket changed, so the count and the rows are read anew.
WORKING_LIMIT = 10


def _queries(client, url, **params) -> int:
    """Queries of a request that finds nothing in the cache: the most a request costs."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["agents:queue", "agents:queue_rows"])
def test_the_query_count_is_the_same_at_10_and_1000_tickets(agent_client, agent, name):
    url = reverse(name)
    bulk_tickets(10, assignee=agent)
    few = _queries(agent_client, url, size="100", q="交易")
    bulk_tickets(990, start=10, assignee=agent)
    many = _queries(agent_client, url, size="100", q="交易")
    assert few == many
    assert many <= LIMIT


def test_the_page_size_does_not_change_the_query_count(agent_client, agent):
    bulk_tickets(200, assignee=agent)
    url = reverse("agents:queue")
    assert _queries(agent_client, url, size="25") == _queries(agent_client, url, size="100")


def test_the_export_query_count_does_not_grow_with_the_tickets(agent_client, agent):
    url = reverse("agents:queue_export")
    bulk_tickets(10, assignee=agent)
    few = _queries(agent_client, url)
    bulk_tickets(1990, start=10, assignee=agent)
    # Rows are read in chunks of 500: 2,000 tickets are four reads instead of one.
    assert _queries(agent_client, url) <= few + 3


def _working_queries(client, url, **params) -> int:
    """Queries of a request after a ticket changed (count, rows and unread badges read anew), rights kept."""
    client.get(url, params)
    Ticket.objects.filter(pk=Ticket.objects.order_by("pk").values("pk")[:1]).update(updated_at=timezone.now())
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"view": "unread"}, {"view": "teams"}, {"q": "13800138000"}])
def test_a_changed_queue_costs_at_most_10_queries_at_10_and_1000_tickets(agent_client, agent, params):
    team = team_save(actor=agent, name="拉卡拉组", members=[agent])
    bulk_tickets(10, assignee=agent, team=team)
    few = _working_queries(agent_client, reverse("agents:queue"), **params)
    bulk_tickets(990, start=10)
    many = _working_queries(agent_client, reverse("agents:queue"), **params)
    assert few == many
    assert many <= WORKING_LIMIT


def _cold_queries(client, url, **params) -> int:
    """Queries of a request that finds nothing kept anywhere: the cache cleared, the user loaded anew."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("agents:queue", {}),
        ("agents:queue", {"view": "teams"}),
        ("agents:queue", {"q": "交易", "size": "100"}),
        ("agents:queue_rows", {}),
    ],
)
def test_a_cold_queue_costs_at_most_10_queries_at_10_and_10000_tickets(agent_client, agent, name, params):
    team = team_save(actor=agent, name="拉卡拉组", members=[agent])
    SavedView.objects.create(owner=agent, name="我的", query="view=mine")
    bulk_tickets(10, assignee=agent, team=team)
    few = _cold_queries(agent_client, reverse(name), **params)
    bulk_tickets(9990, start=10, team=team)
    many = _cold_queries(agent_client, reverse(name), **params)
    assert few == many
    assert many <= COLD_LIMIT


def test_the_permissions_are_read_in_one_query_when_nothing_is_kept(agent):
    from django.contrib.auth import get_user_model

    cache.clear()
    fresh = get_user_model().objects.get(pk=agent.pk)
    with CaptureQueriesContext(connection) as captured:
        assert fresh.has_perm("tickets.view_ticket")
        assert fresh.has_perm("tickets.change_ticket")
        assert not fresh.has_perm("tickets.erase_ticket")
    assert len(captured) == 1
