"""A merchant's request arriving: the ticket with its first message and files, the form's kept uploads,
and the "this solved it" count. Card numbers are masked here, for every caller, with one field list."""

import secrets
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from infra.masking import mask_card_numbers, mask_digits
from tickets import notifications, uploads
from tickets.access import Actor, hash_token
from tickets.details import Kind, TicketDetails, detail_names
from tickets.forms import compact
from tickets.models import ActorKind, Deflection, PendingUpload, Ticket, TicketCounter, TicketEvent, TicketMessage
from tickets.search import search_text_for
from tickets.services.dispatch import notices_enqueue
from tickets.services.events import event_record, user_or_none
from tickets.services.files import Files, adopt_pending, attach, file_refusals, process_all, storing
from tickets.services.routing import ticket_route
from tickets.services.timing import due_times_apply
from tickets.tasks import classification_enqueue

# Every field a card number fits in is masked (tickets/details.py decides which those are), and so is a
# reply's body; identifiers with a fixed format are validated by the form instead.
MASKED_TEXT = (
    *detail_names(kind=Kind.TEXT),
    "body",
    # The honeypot comes back from the browser as anything a script wants it to be.
    "website",
)
MASKED_LISTS = detail_names(kind=Kind.LIST)
_MASKED = frozenset((*MASKED_TEXT, *MASKED_LISTS))


def mask_text(name: str, value: str) -> tuple[str, int]:
    """One field's value with card numbers masked, and how many were."""
    masked, count = mask_card_numbers(value or "")
    if name == "card_masked":
        digits = compact(masked)
        if digits.isdigit() and 13 <= len(digits) <= 19:
            # In the card field any full-length number is a card number, Luhn-valid or mistyped.
            return mask_digits(digits), count + 1
    return masked, count


def mask_input[D: (dict[str, Any], QueryDict)](data: D) -> tuple[D, int]:
    """A copy of submitted values (a dict or a QueryDict) with every card number masked, and the count.

    The view masks what it validates and shows back with this, and ticket_create masks what it stores with
    it again (masked text has nothing left to mask), so one list decides what is masked everywhere.
    """
    data = data.copy()
    total = 0
    for name in MASKED_TEXT:
        if name in data:
            # One text per name: a QueryDict gives its last value.
            data[name], count = mask_text(name, cast(str, data[name]))
            total += count
    for name in MASKED_LISTS:
        if name not in data:
            continue
        items = data.getlist(name) if isinstance(data, QueryDict) else data[name]
        masked = [mask_text(name, item) for item in items]
        total += sum(count for _text, count in masked)
        if isinstance(data, QueryDict):
            data.setlist(name, [text for text, _count in masked])
        else:
            data[name] = [text for text, _count in masked]
    return data, total


def mask_details(details: TicketDetails) -> tuple[TicketDetails, int]:
    values, total = mask_input({name: getattr(details, name) for name in detail_names() if name in _MASKED})
    return replace(details, **values), total


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


def ticket_create(
    *,
    requester: Actor | None,
    details: TicketDetails,
    submission_key: str,
    files: Files = (),
    pending_key: str = "",
    language: str = "zh-hans",
    already_masked: int = 0,
    tracking_url: Callable[[str], str] | None = None,
) -> Ticket:
    """Create a ticket with its first message and attachments, all or nothing.

    Files are checked and cleaned before the ticket row is written. A second call with the same
    submission_key (a double click, a resubmitted form) returns the ticket the first call made. Files
    accepted earlier for the same form (pending uploads under pending_key) become attachments too.
    The new ticket carries its tracking token as `ticket.access_token`; it is not stored in clear.
    `already_masked` counts card numbers a caller masked before with mask_input (what the form showed back).
    `tracking_url(token)` gives the absolute link for the receipt, emailed once the ticket is committed.
    """
    existing = Ticket.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    details, masked = mask_details(details)
    _validate(details)
    processed, pending = _checked_files(files, pending_key=pending_key)
    token = secrets.token_urlsafe(32)
    try:
        with storing(processed) as stored, transaction.atomic():
            ticket = _ticket_row(
                requester=requester,
                details=details,
                submission_key=submission_key,
                token=token,
                language=language,
                masked_count=masked + already_masked,
            )
            _first_message(
                ticket=ticket,
                body=details.description,
                masked=masked,
                processed=processed,
                pending=pending,
                stored=stored,
            )
            ticket_route(ticket=ticket)
            _start_clock_and_notify(ticket, receipt_link=tracking_url(token) if tracking_url else "")
    except IntegrityError as error:
        return _race_winner(submission_key, error)
    ticket.access_token = token
    return ticket


def _checked_files(files: Files, *, pending_key: str) -> tuple[list, list[PendingUpload]]:
    """The new files, checked and cleaned, and the form's kept uploads: all before any row is written."""
    pending = list(PendingUpload.objects.filter(submission_key=pending_key)) if pending_key else []
    limit_errors = uploads.check_limits(files, already_count=len(pending), already_bytes=sum(p.size for p in pending))
    if limit_errors:
        raise ValidationError({"files": limit_errors})
    return process_all(files), pending


def _start_clock_and_notify(ticket: Ticket, *, receipt_link: str) -> None:
    """Due times from the creation time, then what happens once the ticket is committed (registered inside
    the transaction: no receipt and no classification for a ticket that was rolled back)."""
    due_times_apply(ticket=ticket, now=ticket.created_at)
    ticket.save(update_fields=["first_response_due", "resolution_due"])
    notices_enqueue(notices=notifications.ticket_created(ticket, receipt_link))
    # The suggested answer runs a knowledge-base search: a task, so neither the merchant's request nor an
    # agent's first view of the ticket waits for it.
    classification_enqueue(ticket.pk)


def _race_winner(submission_key: str, error: IntegrityError) -> Ticket:
    """Another request with the same submission key won the race; that ticket is the answer."""
    existing = Ticket.objects.filter(submission_key=submission_key).first()
    if existing is None:
        raise error
    return existing


def _first_message(*, ticket: Ticket, body: str, masked: int, processed: list, pending: list, stored: list) -> None:
    message = TicketMessage.objects.create(
        ticket=ticket, author=ticket.requester, author_role=ActorKind.MERCHANT, body=body, masked_count=masked
    )
    attach(ticket, message, processed, stored)
    adopt_pending(ticket, message, pending)
    event_record(
        ticket=ticket,
        actor=ticket.requester,
        actor_kind=ActorKind.MERCHANT,
        kind=TicketEvent.Kind.CREATED,
        new_value=ticket.status,
        message=message,
    )


def _ticket_row(
    *,
    requester: Actor | None,
    details: TicketDetails,
    submission_key: str,
    token: str,
    language: str,
    masked_count: int,
) -> Ticket:
    reference = _next_reference()
    return Ticket.objects.create(
        reference=reference,
        search_text=search_text_for(reference=reference, values=details),
        access_token_hash=hash_token(token),
        submission_key=submission_key,
        requester=user_or_none(requester),
        language=language,
        masked_count=masked_count,
        **asdict(details),
    )


def pending_upload_store(*, submission_key: str, files: Files) -> list[str]:
    """Keep the acceptable files of a form that came back with errors; return messages for the others."""
    if not files:
        return []
    already = PendingUpload.objects.filter(submission_key=submission_key)
    errors = uploads.check_limits(
        files, already_count=already.count(), already_bytes=already.aggregate(total=Sum("size"))["total"] or 0
    )
    if errors:
        return errors + file_refusals(files)
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


def deflection_record(
    *, article_slug: str = "", query: str = "", response_code: str = "", language: str, submission_key: str = ""
) -> Deflection:
    """The merchant found the answer in an article: count it, and drop any files they had attached."""
    query, _count = mask_text("search_query", query.strip()[:200])
    deflection = Deflection.objects.create(
        article_slug=article_slug[:80], query=query, response_code=response_code[:4], language=language
    )
    if submission_key:
        pending_uploads_discard(submission_key=submission_key)
    return deflection
