"""The rows fragment the page polls: an unchanged queue costs a 304, any change gives the new rows."""

import html
import re

import pytest
from django.urls import reverse

from tests.agents.conftest import make_ticket
from tickets.models import Ticket
from tickets.services import ticket_priority_set

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _steady_clock(monkeypatch):
    # The fingerprint also moves every few minutes (due times turn overdue); hold that part still.
    monkeypatch.setattr("agents.selectors.VERSION_PERIOD", __import__("datetime").timedelta(days=365))


def _rows(client, etag=None, **params):
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(reverse("agents:queue_rows"), params, headers=headers)


def _row(response, reference: str) -> str | None:
    """The visible text of the ticket's row in the fragment, or None when it is not shown."""
    found = re.search(rf'<tr[^>]*data-reference="{re.escape(reference)}".*?</tr>', response.text, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group())).split()) if found else None


def test_the_fragment_has_the_rows_and_an_etag(agent_client):
    ticket = make_ticket()
    response = _rows(agent_client)
    assert response.status_code == 200
    assert ticket.reference in response.text
    assert "<html" not in response.text
    assert response["ETag"]


def test_an_unchanged_queue_answers_304_also_to_a_weak_etag(agent_client):
    make_ticket()
    etag = _rows(agent_client)["ETag"]
    assert _rows(agent_client, etag).status_code == 304
    assert _rows(agent_client, f"W/{etag}").status_code == 304


def test_a_new_ticket_changes_the_fragment(agent_client):
    make_ticket()
    etag = _rows(agent_client)["ETag"]
    new = make_ticket()
    response = _rows(agent_client, etag)
    assert response.status_code == 200
    assert new.reference in response.text


def test_a_change_to_a_shown_ticket_changes_the_fragment(agent_client, agent):
    ticket = make_ticket()
    before = _rows(agent_client)
    assert "紧急" not in _row(before, ticket.reference)
    ticket_priority_set(ticket=ticket, agent=agent, priority=Ticket.Priority.URGENT)

    response = _rows(agent_client, before["ETag"])

    assert response.status_code == 200 and response["ETag"] != before["ETag"]
    assert "紧急" in _row(response, ticket.reference)  # the new priority, not the rows kept from before


def test_a_ticket_leaving_the_view_changes_the_fragment(agent_client, agent):
    ticket = make_ticket()
    before = _rows(agent_client, view="unassigned")
    assert _row(before, ticket.reference) is not None
    Ticket.objects.filter(pk=ticket.pk).update(assignee=agent)

    response = _rows(agent_client, before["ETag"], view="unassigned")

    assert response.status_code == 200 and response["ETag"] != before["ETag"]
    assert _row(response, ticket.reference) is None


def test_the_page_shows_the_count_in_its_title(agent_client):
    make_ticket()
    make_ticket()
    # Both are new, so both are unread for this agent: that count comes first.
    assert "<title>2 条未读 · (2) 工单队列" in agent_client.get(reverse("agents:queue")).text
