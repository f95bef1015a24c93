"""tickets/services/intake.py: references, masking, idempotency, all-or-nothing storage, the receipt."""

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


def test_one_list_decides_what_is_masked_in_the_form_and_in_storage():
    from django.http import QueryDict

    from tickets.services.intake import MASKED_LISTS, MASKED_TEXT

    post = QueryDict(mutable=True)
    for name in MASKED_TEXT:
        post[name] = f"x {CARD}"
    for name in MASKED_LISTS:
        post.setlist(name, [CARD, "fine"])
    post["merchant_id"] = "102310058120001"
    masked, count = services.mask_input(post)
    assert count == len(MASKED_TEXT) + len(MASKED_LISTS)
    assert CARD not in str(dict(masked.lists()))
    assert masked.getlist("steps") == [CARD_MASKED, "fine"]
    assert masked["merchant_id"] == "102310058120001"


def test_a_full_length_number_in_the_card_field_is_masked_even_if_mistyped():
    masked, count = services.mask_text("card_masked", "6228 4800 1234 5679")
    assert (masked, count) == ("622848******5679", 1)
    assert services.mask_text("description", "6228 4800 1234 5679") == ("6228 4800 1234 5679", 0)


def test_the_view_no_longer_masks_by_itself():
    import inspect

    from tickets.views import intake, tracking

    assert "mask_card_numbers" not in inspect.getsource(intake) + inspect.getsource(tracking)


def receipt_link(token: str) -> str:
    return f"https://portal.example/tickets/t/{token}/"


def test_the_receipt_is_sent_after_the_commit_with_the_tracking_link(details, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket = services.ticket_create(
            requester=None, details=details(email="w@example.com"), submission_key="r" * 30, tracking_url=receipt_link
        )
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 2  # the receipt, and the suggested answer's classification
    for callback in callbacks:
        callback()
    assert mail.outbox[0].to == ["w@example.com"]
    assert receipt_link(ticket.access_token) in mail.outbox[0].body


def test_no_receipt_when_the_ticket_is_rolled_back(details, django_capture_on_commit_callbacks):
    from django.core import mail
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.ticket_create(
            requester=None,
            details=details(email="w@example.com"),
            submission_key="r" * 30,
            tracking_url=receipt_link,
        )
        raise RuntimeError("the caller's transaction fails after the ticket was written")
    assert callbacks == []
    assert mail.outbox == []
    assert not Ticket.objects.exists()
