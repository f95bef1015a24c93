"""Unread: a merchant message the agent whose ticket it is (or, unassigned, any agent) has not seen is marked in
the queue, counted in the views' badges and the tab title, and cleared when that agent opens the ticket."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from agents.models import TicketSeen
from tests.agents.conftest import make_ticket
from tickets.models import Ticket
from tickets.services import ticket_agent_reply, ticket_note_add, ticket_reply

pytestmark = pytest.mark.django_db


def _rows(client, **params):
    response = client.get("/en/agent/", params)
    assert response.status_code == 200
    return {row.reference: row for row in response.context["page"].object_list}, response


def test_a_new_ticket_is_unread_for_every_agent_until_each_opens_it(agent_client, colleague, client):
    ticket = make_ticket()
    rows, response = _rows(agent_client)
    assert rows[ticket.reference].unread
    assert 'class="queue-row priority-normal unread"' in response.text
    assert "<title>1 unread · (1) Queue" in response.text

    agent_client.get(f"/agent/tickets/{ticket.reference}/")
    rows, response = _rows(agent_client)
    assert not rows[ticket.reference].unread
    assert "unread-dot" not in response.text

    client.force_login(colleague)
    rows, _response = _rows(client)
    assert rows[ticket.reference].unread, "another agent's visit does not clear my marker"


def test_a_merchant_reply_after_the_visit_is_unread_again(agent_client, agent):
    ticket = make_ticket(assignee=agent)
    agent_client.get(f"/agent/tickets/{ticket.reference}/")
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        ticket_reply(ticket=Ticket.objects.get(pk=ticket.pk), author=None, body="还是不行，又提示重新签到")
        rows, _response = _rows(agent_client)
    assert rows[ticket.reference].unread
    assert rows[ticket.reference].last_from == "merchant"


def test_the_agents_own_reply_and_notes_do_not_mark_the_ticket(agent_client, agent):
    ticket = make_ticket(assignee=agent)
    agent_client.get(f"/agent/tickets/{ticket.reference}/")
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        ticket_note_add(ticket=ticket, agent=agent, body="查一下收单行")
        rows, _response = _rows(agent_client)
        assert not rows[ticket.reference].unread
        assert rows[ticket.reference].last_from == "merchant", "an internal note is no message to the merchant"
        ticket_agent_reply(ticket=Ticket.objects.get(pk=ticket.pk), agent=agent, body="请重新签到后再试")
        rows, response = _rows(agent_client)
    assert not rows[ticket.reference].unread
    assert rows[ticket.reference].last_from == "agent"
    assert ">Support</td>" in response.text


def test_a_ticket_assigned_to_a_colleague_is_not_marked_for_me(agent_client, colleague):
    ticket = make_ticket(assignee=colleague)
    rows, _response = _rows(agent_client)
    assert not rows[ticket.reference].unread


def test_a_closed_ticket_is_not_counted(agent_client):
    make_ticket(status=Ticket.Status.CLOSED)
    rows, response = _rows(agent_client)
    assert not any(row.unread for row in rows.values())
    assert response.context["queue"].unread["all"] == 0


def test_each_view_counts_its_unread_tickets_in_its_badge(agent_client, agent):
    make_ticket(assignee=agent)
    make_ticket()
    make_ticket(status=Ticket.Status.WAITING_ON_MERCHANT)
    _found, response = _rows(agent_client)
    unread = response.context["queue"].unread
    assert unread["all"] == 3
    assert unread["mine"] == 1
    assert unread["unassigned"] == 1
    assert unread["waiting"] == 1
    assert unread["unread"] == 3


def test_the_unread_view_lists_only_unread_tickets(agent_client):
    seen = make_ticket()
    fresh = make_ticket()
    agent_client.get(f"/agent/tickets/{seen.reference}/")
    rows, _response = _rows(agent_client, view="unread")
    assert list(rows) == [fresh.reference]


def test_opening_a_ticket_records_one_row_per_agent_and_moves_it_forward(agent_client, agent):
    ticket = make_ticket()
    agent_client.get(f"/agent/tickets/{ticket.reference}/")
    first = TicketSeen.objects.get(agent=agent, ticket=ticket).seen_at
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        agent_client.get(f"/agent/tickets/{ticket.reference}/")
    assert TicketSeen.objects.filter(agent=agent, ticket=ticket).count() == 1
    assert TicketSeen.objects.get(agent=agent, ticket=ticket).seen_at > first


def test_the_polled_fragment_changes_when_the_merchant_replies_and_when_the_agent_opens_it(agent_client, agent):
    ticket = make_ticket(assignee=agent)
    url = reverse("agents:queue_rows")
    first = agent_client.get(url)
    assert 'data-unread="1"' in first.text
    agent_client.get(f"/agent/tickets/{ticket.reference}/")
    opened = agent_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert opened.status_code == 200
    assert 'data-unread="0"' in opened.text
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        ticket_reply(ticket=Ticket.objects.get(pk=ticket.pk), author=None, body="还是不行")
        replied = agent_client.get(url, HTTP_IF_NONE_MATCH=opened["ETag"])
    assert replied.status_code == 200
    assert "unread-dot" in replied.text
    assert "&quot;mine&quot;: 1" in replied.text
