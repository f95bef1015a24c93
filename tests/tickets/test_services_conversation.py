"""tickets/services/conversation.py: merchant replies, agent replies and internal notes."""

import pytest
from django.core.exceptions import ValidationError

from tickets import services
from tickets.models import Ticket, TicketMessage

from .conftest import CARD, CARD_MASKED, log_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def ticket(make_ticket, merchant):
    return make_ticket(requester=merchant)[0]


def test_an_agent_reply_waits_for_the_merchant_and_counts_as_the_first_response(ticket, agent):
    message = services.ticket_agent_reply(ticket=ticket, agent=agent, body="please sign on")
    ticket.refresh_from_db()
    assert message.author_role == TicketMessage.Role.AGENT and not message.is_internal
    assert ticket.status == Ticket.Status.WAITING_ON_MERCHANT
    assert ticket.waiting_since is not None
    assert ticket.first_responded_at == message.created_at or ticket.first_responded_at >= message.created_at


def test_a_second_agent_reply_keeps_the_first_response_time(ticket, agent):
    services.ticket_agent_reply(ticket=ticket, agent=agent, body="one")
    first = Ticket.objects.get(pk=ticket.pk).first_responded_at
    services.ticket_agent_reply(ticket=ticket, agent=agent, body="two")
    assert Ticket.objects.get(pk=ticket.pk).first_responded_at == first


def test_a_merchant_reply_reopens_a_waiting_ticket_and_ends_the_wait(ticket, agent, merchant):
    services.ticket_agent_reply(ticket=ticket, agent=agent, body="please sign on")
    services.ticket_reply(ticket=ticket, author=merchant, body="done, still fails")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.waiting_since is None


def test_an_internal_note_changes_no_status_and_is_not_a_response(ticket, agent):
    note = services.ticket_note_add(ticket=ticket, agent=agent, body="check the key index", files=[log_file()])
    ticket.refresh_from_db()
    assert note.is_internal
    assert note.attachments.count() == 1
    assert ticket.status == Ticket.Status.NEW
    assert ticket.first_responded_at is None


def test_an_internal_note_never_reaches_the_merchants_conversation(client, make_ticket, agent):
    ticket, token = make_ticket()
    services.ticket_note_add(ticket=ticket, agent=agent, body="secret-note-text")
    assert "secret-note-text" not in client.get(f"/en/tickets/t/{token}/").content.decode()


def test_a_note_may_be_added_to_a_closed_ticket_but_a_reply_may_not(ticket, agent):
    services.ticket_close(ticket=ticket, actor=agent, actor_kind="agent")
    services.ticket_note_add(ticket=ticket, agent=agent, body="closed after a phone call")
    with pytest.raises(ValidationError, match="closed"):
        services.ticket_agent_reply(ticket=ticket, agent=agent, body="hello")


@pytest.mark.parametrize("write", ["ticket_reply", "ticket_agent_reply", "ticket_note_add"])
def test_every_message_is_masked_where_it_is_stored(ticket, agent, merchant, write):
    person = {"author": merchant} if write == "ticket_reply" else {"agent": agent}
    message = getattr(services, write)(ticket=ticket, body=f"card {CARD}", **person)
    message.refresh_from_db()
    assert message.body == f"card {CARD_MASKED}"
    assert message.masked_count == 1


def test_an_anonymous_merchant_reply_has_no_author(ticket):
    message = services.ticket_reply(ticket=ticket, author=None, body="from the tracking link")
    assert message.author is None
    assert message.events.get().actor is None
