"""Issue 18 (B): what a merchant is told, and the limits a merchant meets, count only what the merchant can
see; the files of internal notes neither show in a count nor use up the merchant's room for files."""

import pytest
from django.core.exceptions import ValidationError

from tickets import services

from .conftest import CARD, log_file, photo


@pytest.fixture
def noted(make_ticket, agent):
    """A ticket whose agents attached a log with two card numbers to an internal note."""
    ticket, token = make_ticket()
    services.ticket_note_add(
        ticket=ticket, agent=agent, body="终端日志", files=[log_file("terminal.log", f"{CARD}\n{CARD}\n")]
    )
    return ticket, token


def test_the_sent_page_does_not_count_card_numbers_masked_in_an_internal_notes_files(client, noted):
    _ticket, token = noted
    response = client.get(f"/en/tickets/t/{token}/sent/")
    assert response.context["masked_total"] == 0
    assert "We found" not in response.content.decode()


def test_the_sent_page_still_counts_card_numbers_masked_in_the_merchants_own_files(client, make_ticket):
    _ticket, token = make_ticket(files=[log_file("pos.log", f"{CARD}\n")])
    assert client.get(f"/en/tickets/t/{token}/sent/").context["masked_total"] == 1


def test_an_internal_notes_files_leave_the_merchants_room_for_files_untouched(noted, settings):
    ticket, _token = noted
    settings.TICKET_MAX_FILES = 2
    message = services.ticket_reply(ticket=ticket, author=None, body="两张照片", files=[photo("a.jpg"), photo("b.jpg")])
    assert message.attachments.count() == 2


def test_the_merchants_own_files_still_count_against_their_limit(make_ticket, settings, english):
    settings.TICKET_MAX_FILES = 2
    ticket, _token = make_ticket(files=[photo()])
    with pytest.raises(ValidationError, match="at most 2 files"):
        services.ticket_reply(ticket=ticket, author=None, body="再来两张", files=[photo("a.jpg"), photo("b.jpg")])
