"""tickets/services/workflow.py: status, priority, assignment, close and reopen."""

import pytest
from django.core.exceptions import ValidationError

from tickets import services
from tickets.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Status = Ticket.Status


@pytest.fixture
def ticket(make_ticket, merchant):
    return make_ticket(requester=merchant)[0]


def test_resolving_records_when_and_reopening_forgets_it(ticket, agent):
    services.ticket_status_set(ticket=ticket, agent=agent, status=Status.RESOLVED)
    assert Ticket.objects.get(pk=ticket.pk).resolved_at is not None
    services.ticket_status_set(ticket=ticket, agent=agent, status=Status.OPEN)
    assert Ticket.objects.get(pk=ticket.pk).resolved_at is None


def test_closing_a_resolved_ticket_keeps_the_time_it_was_resolved(ticket, agent):
    services.ticket_status_set(ticket=ticket, agent=agent, status=Status.RESOLVED)
    resolved_at = Ticket.objects.get(pk=ticket.pk).resolved_at
    services.ticket_status_set(ticket=ticket, agent=agent, status=Status.CLOSED)
    assert Ticket.objects.get(pk=ticket.pk).resolved_at == resolved_at


def test_waiting_on_the_merchant_is_marked_and_cleared(ticket, agent):
    services.ticket_status_set(ticket=ticket, agent=agent, status=Status.WAITING_ON_MERCHANT)
    assert Ticket.objects.get(pk=ticket.pk).waiting_since is not None
    services.ticket_status_set(ticket=ticket, agent=agent, status=Status.OPEN)
    assert Ticket.objects.get(pk=ticket.pk).waiting_since is None


def test_an_unknown_status_or_priority_is_refused(ticket, agent):
    with pytest.raises(ValidationError):
        services.ticket_status_set(ticket=ticket, agent=agent, status="-1")
    with pytest.raises(ValidationError):
        services.ticket_priority_set(ticket=ticket, agent=agent, priority="")
    assert not ticket.events.exclude(kind="created").exists()


def test_the_callers_instance_sees_the_change(ticket, agent):
    services.ticket_priority_set(ticket=ticket, agent=agent, priority=Ticket.Priority.URGENT)
    services.ticket_assign(ticket=ticket, agent=agent, assignee=agent)
    assert ticket.priority == Ticket.Priority.URGENT
    assert ticket.assignee_id == agent.pk


@pytest.mark.parametrize("persona", ["merchant", "editor", "view_only_staff"])
def test_a_ticket_is_assigned_only_to_agents_who_may_work_it(request, ticket, agent, persona):
    with pytest.raises(ValidationError):
        services.ticket_assign(ticket=ticket, agent=agent, assignee=request.getfixturevalue(persona))
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_unassigning_records_nobody(ticket, agent):
    services.ticket_assign(ticket=ticket, agent=agent, assignee=agent)
    services.ticket_assign(ticket=ticket, agent=agent, assignee=None)
    event = ticket.events.filter(kind="assignee").last()
    assert (event.old_value, event.new_value) == (str(agent.pk), "")
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_close_and_reopen_say_so_in_the_conversation_in_the_tickets_language(ticket, merchant):
    Ticket.objects.filter(pk=ticket.pk).update(language="en")
    ticket.refresh_from_db()
    services.ticket_close(ticket=ticket, actor=merchant)
    services.ticket_reopen(ticket=ticket, actor=merchant)
    bodies = list(ticket.messages.filter(author_role="system").values_list("body", flat=True))
    assert bodies == ["The ticket was closed.", "The ticket was reopened."]


def test_closing_twice_is_refused(ticket, merchant):
    services.ticket_close(ticket=ticket, actor=merchant)
    with pytest.raises(ValidationError, match="already closed"):
        services.ticket_close(ticket=ticket, actor=merchant)
    with pytest.raises(ValidationError, match="already closed"):
        # A stale copy of the ticket: the locked row decides.
        services.ticket_close(ticket=Ticket(pk=ticket.pk, status=Status.OPEN), actor=merchant)
    assert ticket.events.filter(kind="status").count() == 1
