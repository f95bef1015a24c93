"""Messages on a ticket: the merchant's replies, the agents' public replies and their internal notes."""

from collections.abc import Callable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets import notifications, uploads
from tickets.access import Actor, require_ticket_writer
from tickets.models import ActorKind, Ticket, TicketEvent, TicketMessage
from tickets.search import search_text_append
from tickets.services.dispatch import notices_enqueue
from tickets.services.events import copy_back, event_record, locked, user_or_none
from tickets.services.files import Files, attach, file_refusals, process_all, storing
from tickets.services.intake import mask_text
from tickets.services.workflow import MERGED_REFUSAL, STATUS_FIELDS, status_apply
from tickets.tasks import classification_enqueue

_CLOSED = gettext_lazy("This ticket is closed. Reopen it to add a message.")


def _refuse_if_closed(ticket: Ticket, *, internal: bool) -> None:
    """Only internal notes go on a closed ticket; a merged one says why it cannot be reopened instead."""
    if internal or not ticket.is_closed:
        return
    raise ValidationError(MERGED_REFUSAL if ticket.merged_into_id is not None else _CLOSED)


def _checked(*, ticket: Ticket, body: str, files: Files, internal: bool) -> tuple[str, int, list]:
    """Mask and check a message before anything is written; return (body, masked count, processed files)."""
    body, masked = mask_text("body", body.strip())
    if not body and not files:
        raise ValidationError({"body": _("Write a message or attach a file.")})
    _refuse_if_closed(ticket, internal=internal)
    # A public message counts against the files the merchant can see: the files of internal notes are not
    # theirs to make room for, and a limit reached early would tell them such files exist.
    already = ticket.attachments.all() if internal else ticket.attachments.merchant_visible()
    totals = already.aggregate(total=Sum("size"), count=Count("pk"))
    limit_errors = uploads.check_limits(files, already_count=totals["count"], already_bytes=totals["total"] or 0)
    if limit_errors:
        raise ValidationError({"files": limit_errors + file_refusals(files)})
    return body, masked, process_all(files)


def _write(
    *,
    ticket: Ticket,
    author: Actor | None,
    actor_kind: ActorKind,
    body: str,
    files: Files,
    internal: bool,
    next_status: Callable[[Ticket], str | None],
) -> TicketMessage:
    """Add the message, its files, its event and any status change, in one transaction on the locked ticket.

    `next_status(locked_ticket)` names the status the message moves the ticket to, or None to leave it.
    """
    body, masked, processed = _checked(ticket=ticket, body=body, files=files, internal=internal)
    with storing(processed) as stored, transaction.atomic():
        row = locked(ticket)
        _refuse_if_closed(row, internal=internal)
        message = TicketMessage.objects.create(
            ticket=row,
            author=user_or_none(author),
            author_role=actor_kind,
            body=body,
            is_internal=internal,
            masked_count=masked,
        )
        attach(row, message, processed, stored)
        kind = TicketEvent.Kind.NOTE if internal else TicketEvent.Kind.REPLY
        event_record(ticket=row, actor=author, actor_kind=actor_kind, kind=kind, message=message)
        now = timezone.now()
        row.search_text = search_text_append(row.search_text, body)
        changed = ["updated_at", "search_text"]
        if actor_kind == ActorKind.AGENT and not internal and row.first_responded_at is None:
            row.first_responded_at = now
            changed.append("first_responded_at")
        status = next_status(row)
        if status is not None:
            changed += status_apply(ticket=row, status=status, actor=author, actor_kind=actor_kind, now=now)
        row.save(update_fields=changed)
        notices_enqueue(notices=notifications.ticket_replied(row, message))
    copy_back(ticket, row, (*STATUS_FIELDS, "first_responded_at", "updated_at", "search_text"))
    return message


def _merchant_next(row: Ticket) -> str | None:
    # The merchant answered: a ticket that waited on them, or was resolved, is open again.
    if row.status in (Ticket.Status.WAITING_ON_MERCHANT, Ticket.Status.RESOLVED):
        return Ticket.Status.OPEN
    return None


def ticket_reply(*, ticket: Ticket, author: User | None, body: str, files: Files = ()) -> TicketMessage:
    """The merchant writes (signed in or holding the tracking link; `author` is None when anonymous)."""
    message = _write(
        ticket=ticket,
        author=author,
        actor_kind=ActorKind.MERCHANT,
        body=body,
        files=files,
        internal=False,
        next_status=_merchant_next,
    )
    # A ticket without a stored suggestion (filed before there was a task, or its task was lost) gets one
    # now, off the request; the task does nothing for a ticket that has one.
    classification_enqueue(ticket.pk)
    return message


def ticket_agent_reply(*, ticket: Ticket, agent: Actor, body: str, files: Files = ()) -> TicketMessage:
    """A public answer from support; the ticket then waits on the merchant."""
    require_ticket_writer(agent)
    return _write(
        ticket=ticket,
        author=agent,
        actor_kind=ActorKind.AGENT,
        body=body,
        files=files,
        internal=False,
        next_status=lambda _row: Ticket.Status.WAITING_ON_MERCHANT,
    )


def ticket_note_add(*, ticket: Ticket, agent: Actor, body: str, files: Files = ()) -> TicketMessage:
    """An internal note: for agents only, never shown to the merchant, and it changes no status."""
    require_ticket_writer(agent)
    return _write(
        ticket=ticket,
        author=agent,
        actor_kind=ActorKind.AGENT,
        body=body,
        files=files,
        internal=True,
        next_status=lambda _row: None,
    )
