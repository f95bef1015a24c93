"""Writes for support tickets. Views, the admin and commands all go through here."""

import hashlib
import secrets
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.masking import mask_card_numbers
from tickets import uploads
from tickets.models import (
    Attachment,
    Deflection,
    PendingUpload,
    Ticket,
    TicketCounter,
    TicketMessage,
)

PENDING_MAX_AGE = timedelta(hours=24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class TicketDetails:
    """What the merchant tells us, as the form (or any other caller) provides it."""

    contact_name: str
    merchant_id: str
    terminal_id: str
    occurred_at: datetime
    description: str
    phone: str = ""
    email: str = ""
    serial_number: str = ""
    terminal_model: str = ""
    acquirer: str = ""
    location: str = ""
    response_code: str = ""
    screen_text: str = ""
    steps: list[str] = field(default_factory=list)
    tried_fixes: list[str] = field(default_factory=list)
    article_slug: str = ""
    search_query: str = ""
    amount: Decimal | None = None
    trace_number: str = ""
    batch_number: str = ""
    reference_number: str = ""
    auth_code: str = ""
    card_masked: str = ""


# Identifiers with a fixed format are validated by the form and never hold a card number; everything a
# merchant writes freely is masked.
_FREE_TEXT = (
    "contact_name",
    "serial_number",
    "terminal_model",
    "acquirer",
    "location",
    "screen_text",
    "description",
    "search_query",
    "card_masked",
)


def mask_details(details: TicketDetails) -> tuple[TicketDetails, int]:
    total = 0
    changes: dict = {}
    for name in _FREE_TEXT:
        masked, count = mask_card_numbers(getattr(details, name))
        total += count
        changes[name] = masked
    for name in ("steps", "tried_fixes"):
        items = []
        for item in getattr(details, name):
            masked, count = mask_card_numbers(item)
            total += count
            items.append(masked)
        changes[name] = items
    return replace(details, **changes), total


def _validate(details: TicketDetails) -> None:
    errors = {}
    if not details.contact_name.strip():
        errors["contact_name"] = _("Please enter your name.")
    if not details.phone and not details.email:
        errors["phone"] = _("Please give a mobile phone number or an email address so we can reach you.")
    if not details.description.strip():
        errors["description"] = _("Please describe what happened.")
    if details.amount is not None and details.amount <= 0:
        errors["amount"] = _("The amount must be more than 0.")
    if errors:
        raise ValidationError(errors)


def _next_reference() -> str:
    year = timezone.localtime().year
    TicketCounter.objects.get_or_create(year=year)
    # The UPDATE locks the row until the transaction ends, so two tickets created at once never share a number.
    TicketCounter.objects.filter(year=year).update(last=F("last") + 1)
    number = TicketCounter.objects.get(year=year).last
    return f"POS-{year}-{number:06d}"


def _process_all(files) -> list["uploads.ProcessedFile"]:
    """Check and clean every file before anything is written; all problems are reported together."""
    processed, errors = [], []
    for upload in files:
        try:
            processed.append(uploads.process_upload(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        for item in processed:
            item.close()
        raise ValidationError({"files": errors})
    return processed


def _attach(ticket: Ticket, message: TicketMessage, processed: list, stored: list[str]) -> None:
    for item in processed:
        try:
            file_name, thumb_name = uploads.store(item)
        finally:
            stored.extend(item.stored)
        Attachment.objects.create(
            ticket=ticket, message=message, **item.row_fields(file_name=file_name, thumbnail_name=thumb_name)
        )


def _adopt_pending(ticket: Ticket, message: TicketMessage, pending: list[PendingUpload]) -> None:
    for upload in pending:
        Attachment.objects.create(
            ticket=ticket,
            message=message,
            **{f.name: getattr(upload, f.name) for f in Attachment._meta.concrete_fields if _shared_field(f.name)},
        )
    PendingUpload.objects.filter(pk__in=[p.pk for p in pending]).delete()


def _shared_field(name: str) -> bool:
    return name in {
        "kind",
        "original_name",
        "file",
        "thumbnail",
        "content_type",
        "size",
        "sha256",
        "masked_count",
    }


def ticket_create(
    *,
    requester,
    details: TicketDetails,
    submission_key: str,
    files=(),
    pending_key: str = "",
    language: str = "zh-hans",
    already_masked: int = 0,
) -> Ticket:
    """Create a ticket with its first message and attachments, all or nothing.

    Files are checked and cleaned before the ticket row is written. A second call with the same
    submission_key (a double click, a resubmitted form) returns the ticket the first call made. Files
    accepted earlier for the same form (pending uploads under pending_key) become attachments too.
    The new ticket carries its tracking token as `ticket.access_token`; it is not stored in clear.
    `already_masked` counts card numbers a caller masked before (the view masks what it shows back).
    """
    existing = Ticket.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    details, masked = mask_details(details)
    _validate(details)
    pending = list(PendingUpload.objects.filter(submission_key=pending_key)) if pending_key else []
    limit_errors = uploads.check_limits(files, already_count=len(pending), already_bytes=sum(p.size for p in pending))
    if limit_errors:
        raise ValidationError({"files": limit_errors})
    processed = _process_all(files)
    token = secrets.token_urlsafe(32)
    stored: list[str] = []
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                reference=_next_reference(),
                access_token_hash=hash_token(token),
                submission_key=submission_key,
                requester=requester if getattr(requester, "pk", None) else None,
                language=language,
                masked_count=masked + already_masked,
                **{f.name: getattr(details, f.name) for f in fields(TicketDetails)},
            )
            message = TicketMessage.objects.create(
                ticket=ticket,
                author=ticket.requester,
                author_role=TicketMessage.Role.MERCHANT,
                body=details.description,
                masked_count=masked,
            )
            _attach(ticket, message, processed, stored)
            _adopt_pending(ticket, message, pending)
    except IntegrityError:
        uploads.delete_stored(stored)
        # Another request with the same submission key won the race; that ticket is the answer.
        existing = Ticket.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing
    except BaseException:
        uploads.delete_stored(stored)
        raise
    finally:
        for item in processed:
            item.close()
    ticket.access_token = token
    return ticket


def ticket_reply(
    *, ticket: Ticket, author, body: str, files=(), role: str = TicketMessage.Role.MERCHANT
) -> TicketMessage:
    body, masked = mask_card_numbers(body.strip())
    if not body and not files:
        raise ValidationError({"body": _("Write a message or attach a file.")})
    if ticket.is_closed:
        raise ValidationError(_("This ticket is closed. Reopen it to add a message."))
    totals = ticket.attachments.aggregate(total=Sum("size"))
    limit_errors = uploads.check_limits(
        files, already_count=ticket.attachments.count(), already_bytes=totals["total"] or 0
    )
    if limit_errors:
        raise ValidationError({"files": limit_errors})
    processed = _process_all(files)
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
            if locked.is_closed:
                raise ValidationError(_("This ticket is closed. Reopen it to add a message."))
            message = TicketMessage.objects.create(
                ticket=locked,
                author=author if getattr(author, "pk", None) else None,
                author_role=role,
                body=body,
                masked_count=masked,
            )
            _attach(locked, message, processed, stored)
            if role == TicketMessage.Role.AGENT:
                locked.status = Ticket.Status.WAITING_ON_MERCHANT
            elif locked.status in (Ticket.Status.WAITING_ON_MERCHANT, Ticket.Status.RESOLVED):
                locked.status = Ticket.Status.OPEN
            locked.save(update_fields=["status", "updated_at"])
    except BaseException:
        uploads.delete_stored(stored)
        raise
    finally:
        for item in processed:
            item.close()
    ticket.status = locked.status
    return message


def _status_change(*, ticket: Ticket, author, status: str, note: str) -> Ticket:
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        with translation.override(locked.language):
            TicketMessage.objects.create(
                ticket=locked,
                author=author if getattr(author, "pk", None) else None,
                author_role=TicketMessage.Role.SYSTEM,
                body=str(note),
            )
    ticket.status = locked.status
    return locked


def ticket_close(*, ticket: Ticket, author=None) -> Ticket:
    if ticket.is_closed:
        raise ValidationError(_("This ticket is already closed."))
    return _status_change(
        ticket=ticket, author=author, status=Ticket.Status.CLOSED, note=gettext_lazy("The ticket was closed.")
    )


def ticket_reopen(*, ticket: Ticket, author=None) -> Ticket:
    if ticket.is_active:
        raise ValidationError(_("This ticket is still open."))
    return _status_change(
        ticket=ticket, author=author, status=Ticket.Status.OPEN, note=gettext_lazy("The ticket was reopened.")
    )


def pending_upload_store(*, submission_key: str, files) -> list[str]:
    """Keep the acceptable files of a form that came back with errors; return messages for the others."""
    if not files:
        return []
    already = PendingUpload.objects.filter(submission_key=submission_key)
    errors = uploads.check_limits(
        files, already_count=already.count(), already_bytes=already.aggregate(total=Sum("size"))["total"] or 0
    )
    if errors:
        return errors
    for upload in files:
        try:
            item = uploads.process_upload(upload)
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        try:
            file_name, thumb_name = uploads.store(item)
            PendingUpload.objects.create(
                submission_key=submission_key, **item.row_fields(file_name=file_name, thumbnail_name=thumb_name)
            )
        except BaseException:
            uploads.delete_stored(item.stored)
            raise
        finally:
            item.close()
    return errors


def pending_upload_remove(*, submission_key: str, pk: int) -> None:
    upload = PendingUpload.objects.filter(submission_key=submission_key, pk=pk).first()
    if upload is None:
        return
    names = [upload.file, upload.thumbnail]
    upload.delete()
    transaction.on_commit(lambda: uploads.delete_stored(names))


def pending_uploads_discard(*, submission_key: str) -> int:
    items = list(PendingUpload.objects.filter(submission_key=submission_key))
    names = [name for item in items for name in (item.file, item.thumbnail)]
    PendingUpload.objects.filter(pk__in=[item.pk for item in items]).delete()
    transaction.on_commit(lambda: uploads.delete_stored(names))
    return len(items)


def tickets_cleanup(*, now: datetime | None = None) -> tuple[int, int]:
    """Delete pending uploads older than 24 h and stored files no row refers to; return both counts."""
    now = now or timezone.now()
    cutoff = now - PENDING_MAX_AGE
    old = list(PendingUpload.objects.filter(created_at__lt=cutoff))
    names = [name for item in old for name in (item.file, item.thumbnail)]
    PendingUpload.objects.filter(pk__in=[item.pk for item in old]).delete()
    uploads.delete_stored(names)
    orphans = 0
    if default_storage.exists("tickets"):
        known = set()
        for model in (Attachment, PendingUpload):
            for file_name, thumb_name in model.objects.values_list("file", "thumbnail"):
                known.update((file_name, thumb_name))
        years, _files = default_storage.listdir("tickets")
        for year in years:
            for name in default_storage.listdir(f"tickets/{year}")[1]:
                path = f"tickets/{year}/{name}"
                # A file written in the last day may belong to a request still running.
                if path not in known and default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
                    orphans += 1
    return len(old), orphans


def deflection_record(
    *, article_slug: str = "", query: str = "", response_code: str = "", language: str, submission_key: str = ""
) -> Deflection:
    """The merchant found the answer in an article: count it, and drop any files they had attached."""
    query, _count = mask_card_numbers(query.strip()[:200])
    deflection = Deflection.objects.create(
        article_slug=article_slug[:80], query=query, response_code=response_code[:4], language=language
    )
    if submission_key:
        pending_uploads_discard(submission_key=submission_key)
    return deflection
