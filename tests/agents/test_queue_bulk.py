"""Bulk actions on explicitly posted ids: each ticket through its service (events recorded), one summary message."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.agents.conftest import make_ticket
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def _post(client, **data):
    return client.post(reverse("agents:queue_bulk"), data)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_assigning_to_me_assigns_only_the_posted_tickets_and_records_events(agent_client, agent):
    chosen = [make_ticket(), make_ticket()]
    other = make_ticket()
    response = _post(agent_client, action="assign", assignee="me", ids=[t.pk for t in chosen], next="view=mine")

    assert response.status_code == 302
    assert response["Location"] == reverse("agents:queue") + "?view=mine"
    assert set(Ticket.objects.filter(assignee=agent).values_list("pk", flat=True)) == {t.pk for t in chosen}
    assert Ticket.objects.get(pk=other.pk).assignee is None
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.ASSIGNEE, actor=agent).count() == 2
    assert _messages(response) == ["已更新2个工单。"]


def test_status_and_priority_change_every_selected_ticket(agent_client):
    tickets = [make_ticket(), make_ticket()]
    ids = [t.pk for t in tickets]
    _post(agent_client, action="status", status="open", ids=ids)
    _post(agent_client, action="priority", priority="urgent", ids=ids)
    assert set(Ticket.objects.values_list("status", "priority")) == {("open", "urgent")}


def test_closing_reports_the_tickets_that_could_not_be_closed(agent_client):
    open_ticket = make_ticket()
    closed = make_ticket(status=Ticket.Status.CLOSED)
    response = _post(agent_client, action="close", ids=[open_ticket.pk, closed.pk, 999999])

    assert Ticket.objects.get(pk=open_ticket.pk).status == Ticket.Status.CLOSED
    (message,) = _messages(response)
    assert "已更新1个工单" in message
    assert "2个工单未修改" in message
    assert closed.reference in message
    assert "#999999" in message


def test_assigning_to_someone_who_is_not_an_agent_changes_nothing(agent_client, merchant):
    ticket = make_ticket()
    response = _post(agent_client, action="assign", assignee=str(merchant.pk), ids=[ticket.pk])
    assert Ticket.objects.get(pk=ticket.pk).assignee is None
    assert "工单只能分配给客服人员" in _messages(response)[0]


def test_staff_who_may_only_read_tickets_change_nothing(client, view_only_staff):
    ticket = make_ticket()
    client.force_login(view_only_staff)
    response = _post(client, action="priority", priority="urgent", ids=[ticket.pk])
    assert Ticket.objects.get(pk=ticket.pk).priority == Ticket.Priority.NORMAL
    assert "您无权修改工单" in _messages(response)[0]


@pytest.mark.parametrize(
    "data",
    [
        {"action": "close"},  # no ids
        {"action": "status", "ids": ["1"]},  # no status
        {"action": "explode", "ids": ["1"]},
        {"action": "close", "ids": ["abc"]},
        {"action": "close", "ids": [str(n) for n in range(1, 200)]},
    ],
)
def test_an_incomplete_bulk_request_changes_nothing_and_says_why(agent_client, data):
    ticket = make_ticket()
    response = agent_client.post(reverse("agents:queue_bulk"), data)
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.NEW
    assert _messages(response)


def test_the_return_address_is_always_the_queue(agent_client):
    ticket = make_ticket()
    response = _post(agent_client, action="close", ids=[ticket.pk], next="https://evil.example/")
    assert response["Location"].startswith(reverse("agents:queue") + "?")
