"""The queue's count and rows are kept briefly in the shared cache, and any ticket change shows at once."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.agents.conftest import make_ticket
from tickets.models import Ticket
from tickets.services import ticket_assign, ticket_priority_set

pytestmark = pytest.mark.django_db


def _get(client, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("agents:queue"), params)
    assert response.status_code == 200
    # Counts of tickets themselves (the list, the badges), not a count inside the rows query (the repeats).
    counts = [
        query["sql"]
        for query in captured
        if query["sql"].startswith("SELECT COUNT(") and "tickets_ticket" in query["sql"]
    ]
    return response, counts


def test_an_unchanged_queue_is_not_counted_again(agent_client):
    make_ticket()
    _first, counted = _get(agent_client)
    assert len(counted) == 2, "the list's count and the views' unread badges"
    response, counted = _get(agent_client)
    assert counted == []
    assert response.context["page"].paginator.count == 1


def test_a_new_ticket_shows_in_the_count_and_the_rows_at_once(agent_client):
    make_ticket()
    _get(agent_client)
    new = make_ticket()
    response, _counted = _get(agent_client)
    assert response.context["page"].paginator.count == 2
    assert new.reference in response.text


def test_a_ticket_changed_through_a_service_shows_at_once(agent_client, agent):
    ticket = make_ticket()
    _get(agent_client, view="unassigned")
    _get(agent_client)
    ticket_assign(ticket=ticket, agent=agent, assignee=agent)
    response, _counted = _get(agent_client, view="unassigned")
    assert response.context["page"].paginator.count == 0
    ticket_priority_set(ticket=ticket, agent=agent, priority=Ticket.Priority.URGENT)
    response, _counted = _get(agent_client)
    assert str(Ticket.Priority.URGENT.label) in response.text


def test_the_rows_fragment_uses_the_same_cached_rows_as_the_page(agent_client):
    ticket = make_ticket()
    page, _counted = _get(agent_client)
    fragment = agent_client.get(reverse("agents:queue_rows"))
    assert ticket.reference in fragment.text
    assert fragment.text.strip() in page.text


def test_mine_is_counted_for_each_agent(client, agent_client, agent):
    other = get_user_model().objects.create_user(username="other", password="other-pass-123", is_staff=True)
    other.groups.set(agent.groups.all())
    make_ticket(assignee=agent)
    mine, _counted = _get(agent_client, view="mine")
    assert mine.context["page"].paginator.count == 1
    client.force_login(other)
    theirs, _counted = _get(client, view="mine")
    assert theirs.context["page"].paginator.count == 0
