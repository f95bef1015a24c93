"""Every change to a ticket leaves a TicketEvent (who, when, what, old → new), written by the service itself."""

import pytest

from tickets import services
from tickets.models import Ticket, TicketEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def ticket(make_ticket, merchant):
    return make_ticket(requester=merchant)[0]


def last_event(ticket) -> TicketEvent:
    return ticket.events.order_by("pk").last()


def test_creating_a_ticket_records_who_sent_it(ticket, merchant):
    event = ticket.events.get()
    assert (event.kind, event.actor, event.actor_kind, event.new_value) == ("created", merchant, "merchant", "new")
    assert event.message == ticket.messages.get()


WRITES = {
    "merchant reply": (lambda t, m, a: services.ticket_reply(ticket=t, author=m, body="x"), "reply", "merchant"),
    "agent reply": (lambda t, m, a: services.ticket_agent_reply(ticket=t, agent=a, body="x"), "status", "agent"),
    "note": (lambda t, m, a: services.ticket_note_add(ticket=t, agent=a, body="x"), "note", "agent"),
    "status": (lambda t, m, a: services.ticket_status_set(ticket=t, agent=a, status="open"), "status", "agent"),
    "priority": (lambda t, m, a: services.ticket_priority_set(ticket=t, agent=a, priority="high"), "priority", "agent"),
    "assign": (lambda t, m, a: services.ticket_assign(ticket=t, agent=a, assignee=a), "assignee", "agent"),
    "close": (lambda t, m, a: services.ticket_close(ticket=t, actor=m), "status", "merchant"),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_service_records_its_event(ticket, merchant, agent, write):
    call, kind, actor_kind = WRITES[write]
    before = ticket.events.count()
    call(ticket, merchant, agent)
    assert ticket.events.count() > before
    event = last_event(ticket)
    assert (event.kind, event.actor_kind) == (kind, actor_kind)
    assert event.actor == (merchant if actor_kind == "merchant" else agent)


def test_a_status_event_has_the_old_and_the_new_value(ticket, agent):
    services.ticket_status_set(ticket=ticket, agent=agent, status=Ticket.Status.RESOLVED)
    event = last_event(ticket)
    assert (event.old_value, event.new_value) == ("new", "resolved")


def test_an_agent_reply_records_the_reply_and_the_status_it_caused(ticket, agent):
    message = services.ticket_agent_reply(ticket=ticket, agent=agent, body="please sign on")
    kinds = list(ticket.events.filter(message=message).values_list("kind", flat=True))
    assert kinds == ["reply"]
    status = last_event(ticket)
    assert (status.kind, status.old_value, status.new_value) == ("status", "new", "waiting_on_merchant")


def test_reopening_records_the_status_and_links_the_conversation_line(ticket, merchant):
    services.ticket_close(ticket=ticket, actor=merchant)
    services.ticket_reopen(ticket=ticket, actor=None)
    event = last_event(ticket)
    assert (event.old_value, event.new_value, event.actor) == ("closed", "open", None)
    assert event.message.body == "工单已重新打开。"


def test_setting_the_value_it_already_has_records_nothing(ticket, agent):
    services.ticket_priority_set(ticket=ticket, agent=agent, priority=ticket.priority)
    services.ticket_status_set(ticket=ticket, agent=agent, status=ticket.status)
    services.ticket_assign(ticket=ticket, agent=agent, assignee=None)
    assert list(ticket.events.values_list("kind", flat=True)) == ["created"]


def test_a_failed_write_leaves_no_event(ticket, agent, monkeypatch):
    def broken_save(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Ticket, "save", broken_save)
    with pytest.raises(RuntimeError):
        services.ticket_priority_set(ticket=ticket, agent=agent, priority=Ticket.Priority.URGENT)
    assert list(ticket.events.values_list("kind", flat=True)) == ["created"]
