"""The ticket_create service: references, masking, idempotency and all-or-nothing storage."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from tickets import services
from tickets.models import Attachment, PendingUpload, Ticket, TicketMessage

from .conftest import CARD, CARD_MASKED, log_file, photo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "tickets"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_it_gives_each_ticket_a_short_yearly_reference(make_ticket):
    first, _token = make_ticket()
    second, _token = make_ticket()
    assert re.fullmatch(r"POS-\d{4}-000001", first.reference)
    assert second.reference == first.reference[:-1] + "2"


def test_it_stores_only_a_hash_of_the_tracking_token(make_ticket):
    ticket, token = make_ticket()
    assert len(token) >= 43
    stored = Ticket.objects.get(pk=ticket.pk)
    assert token not in stored.access_token_hash
    assert stored.access_token_hash == services.hash_token(token)


def test_it_creates_the_first_message_with_the_files(make_ticket):
    ticket, _token = make_ticket(files=[photo(), log_file()])
    message = TicketMessage.objects.get(ticket=ticket)
    assert message.author_role == TicketMessage.Role.MERCHANT
    assert sorted(a.kind for a in message.attachments.all()) == ["image", "log"]


def test_it_masks_card_numbers_in_every_text_field(make_ticket):
    ticket, _token = make_ticket(description=f"card {CARD}", screen_text=CARD, location=CARD, steps=[f"swiped {CARD}"])
    ticket.refresh_from_db()
    assert CARD not in str(Ticket.objects.filter(pk=ticket.pk).values().first())
    assert ticket.description == f"card {CARD_MASKED}"
    assert ticket.steps == [f"swiped {CARD_MASKED}"]
    assert ticket.masked_count == 4
    assert CARD not in TicketMessage.objects.get(ticket=ticket).body


def test_a_second_call_with_the_same_submission_key_returns_the_same_ticket(details):
    first = services.ticket_create(requester=None, details=details(), submission_key="same-key-0123456789abc")
    again = services.ticket_create(
        requester=None, details=details(), submission_key="same-key-0123456789abc", files=[log_file()]
    )
    assert again.pk == first.pk
    assert Ticket.objects.count() == 1
    assert not hasattr(again, "access_token")


def test_it_refuses_a_ticket_without_any_way_to_reach_the_merchant(details):
    with pytest.raises(ValidationError):
        services.ticket_create(requester=None, details=details(phone="", email=""), submission_key="k" * 30)
    assert not Ticket.objects.exists()


def test_nothing_is_stored_when_one_file_is_refused(details, settings):
    html = log_file("page.log", "<html><body>hi</body></html>")
    with pytest.raises(ValidationError) as caught:
        services.ticket_create(requester=None, details=details(), submission_key="k" * 30, files=[photo(), html])
    assert "page.log" in " ".join(caught.value.messages)
    assert not Ticket.objects.exists()
    assert stored_files(settings) == []


def test_nothing_half_made_remains_when_saving_a_file_fails_midway(details, settings, monkeypatch):
    real_save = default_storage.save
    calls = []

    def failing_save(name, content, *args, **kwargs):
        calls.append(name)
        if len(calls) == 3:  # the photo and its thumbnail are written, then the disk "fills up"
            raise OSError("No space left on device")
        return real_save(name, content, *args, **kwargs)

    monkeypatch.setattr(default_storage, "save", failing_save)
    with pytest.raises(OSError):
        services.ticket_create(
            requester=None, details=details(), submission_key="k" * 30, files=[photo(), log_file(), log_file("b.log")]
        )
    assert len(calls) == 3
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert not TicketMessage.objects.exists()
    assert stored_files(settings) == []


def test_nothing_half_made_remains_when_the_database_fails_after_the_files(details, settings, monkeypatch):
    def broken_create(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Attachment.objects, "create", broken_create)
    with pytest.raises(RuntimeError):
        services.ticket_create(requester=None, details=details(), submission_key="k" * 30, files=[photo()])
    assert not Ticket.objects.exists()
    assert stored_files(settings) == []


def test_pending_uploads_of_the_same_form_become_attachments(details):
    errors = services.pending_upload_store(submission_key="p" * 30, files=[photo()])
    assert errors == []
    ticket = services.ticket_create(
        requester=None, details=details(), submission_key="p" * 30, pending_key="p" * 30, files=[log_file()]
    )
    assert ticket.attachments.count() == 2
    assert not PendingUpload.objects.exists()


def test_the_file_limit_counts_pending_uploads_too(details, settings):
    settings.TICKET_MAX_FILES = 2
    services.pending_upload_store(submission_key="p" * 30, files=[log_file(), log_file("b.log")])
    with pytest.raises(ValidationError) as caught:
        services.ticket_create(
            requester=None, details=details(), submission_key="p" * 30, pending_key="p" * 30, files=[log_file("c.log")]
        )
    assert "at most 2" in " ".join(caught.value.messages)
