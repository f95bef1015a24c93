"""Status, priority, assignment, closing and reopening: each a keyword-only service that locks the ticket,
changes it in one transaction and records a TicketEvent for every field it changed."""

from collections.abc import Callable
from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from tickets import notifications
from tickets.access import Actor, may_change_tickets, require_ticket_writer
from tickets.models import ActorKind, Ticket, TicketEvent, TicketMessage
from tickets.services.dispatch import notices_enqueue
from tickets.services.events import copy_back, event_record, locked, user_or_none
from tickets.services.timing import due_times_apply

Status = Ticket.Status
# The fields a status change may touch besides the status itself (a pause moves the due times).
STATUS_FIELDS = ("status", "waiting_since", "resolved_at", "first_response_due", "resolution_due")
DONE = (Status.RESOLVED, Status.CLOSED)
MERGED_REFUSAL = gettext_lazy(
    "This request was merged into another one that support is handling; it stays closed and cannot be changed."
)


def status_apply(
    *,
    ticket: Ticket,
    status: str,
    actor: Actor | None,
    actor_kind: ActorKind,
    now: datetime,
    message: TicketMessage | None = None,
) -> list[str]:
    """Move a locked ticket to `status` with the time facts that go with it; return the fields to save.

    Waiting on the merchant pauses the time targets from `waiting_since`; leaving it clears the mark.
    A resolved or closed ticket keeps when it was first resolved; reopening forgets it.
    """
    if ticket.status == status:
        return []
    old = ticket.status
    ticket.status = status
    ticket.waiting_since = now if status == Status.WAITING_ON_MERCHANT else None
    if status in DONE:
        ticket.resolved_at = ticket.resolved_at or now
    else:
        ticket.resolved_at = None
    event_record(
        ticket=ticket,
        actor=actor,
        actor_kind=actor_kind,
        kind=TicketEvent.Kind.STATUS,
        old_value=old,
        new_value=status,
        message=message,
    )
    due_times_apply(ticket=ticket, now=now)
    return list(STATUS_FIELDS)


def _valid(value: str, choices: type[models.TextChoices], field: str) -> None:
    if value not in choices.values:
        raise ValidationError({field: _("Choose one of the offered values.")})


def ticket_status_set(*, ticket: Ticket, agent: Actor, status: str) -> Ticket:
    """An agent moves the ticket along new → open → waiting on merchant → resolved → closed."""
    require_ticket_writer(agent)
    _valid(status, Status, "status")
    with transaction.atomic():
        row = locked(ticket)
        if row.merged_into_id is not None and status != Status.CLOSED:
            raise ValidationError({"status": MERGED_REFUSAL})
        old = row.status
        changed = status_apply(ticket=row, status=status, actor=agent, actor_kind=ActorKind.AGENT, now=timezone.now())
        if changed:
            row.save(update_fields=[*changed, "updated_at"])
            notices_enqueue(notices=notifications.ticket_status_changed(row, old, status))
    copy_back(ticket, row, (*STATUS_FIELDS, "updated_at"))
    return ticket


def ticket_priority_set(*, ticket: Ticket, agent: Actor, priority: str) -> Ticket:
    require_ticket_writer(agent)
    _valid(priority, Ticket.Priority, "priority")
    with transaction.atomic():
        row = locked(ticket)
        if row.priority != priority:
            event_record(
                ticket=row,
                actor=agent,
                actor_kind=ActorKind.AGENT,
                kind=TicketEvent.Kind.PRIORITY,
                old_value=row.priority,
                new_value=priority,
            )
            row.priority = priority
            changed = due_times_apply(ticket=row, now=timezone.now())
            row.save(update_fields=["priority", *changed, "updated_at"])
    copy_back(ticket, row, ("priority", "first_response_due", "resolution_due", "updated_at"))
    return ticket


def ticket_assign(*, ticket: Ticket, agent: Actor, assignee: User | None) -> Ticket:
    """Give the ticket to an agent who may work it, or to nobody (assignee=None)."""
    require_ticket_writer(agent)
    if assignee is not None and not may_change_tickets(assignee):
        raise ValidationError({"assignee": _("Tickets can only be assigned to support agents.")})
    new_id = assignee.pk if assignee is not None else None
    with transaction.atomic():
        row = locked(ticket)
        if row.assignee_id != new_id:
            event_record(
                ticket=row,
                actor=agent,
                actor_kind=ActorKind.AGENT,
                kind=TicketEvent.Kind.ASSIGNEE,
                old_value=str(row.assignee_id or ""),
                new_value=str(new_id or ""),
            )
            row.assignee_id = new_id
            row.save(update_fields=["assignee", "updated_at"])
    copy_back(ticket, row, ("assignee_id", "updated_at"))
    return ticket


def _status_with_note(
    *,
    ticket: Ticket,
    actor: Actor | None,
    actor_kind: ActorKind,
    status: str,
    note: StrOrPromise,
    allowed: Callable[[Ticket], bool],
    refusal: StrOrPromise,
) -> Ticket:
    """A close or reopen: the status change plus a line in the conversation saying so.

    `allowed(ticket)` is checked again on the locked row: another request may have changed it meanwhile.
    """
    if actor_kind == ActorKind.AGENT:
        require_ticket_writer(actor)
    if not allowed(ticket):
        raise ValidationError(refusal)
    with transaction.atomic():
        row = locked(ticket)
        if not allowed(row):
            raise ValidationError(refusal)
        with translation.override(row.language):
            message = TicketMessage.objects.create(
                ticket=row, author=user_or_none(actor), author_role=ActorKind.SYSTEM, body=str(note)
            )
        changed = status_apply(
            ticket=row, status=status, actor=actor, actor_kind=actor_kind, now=timezone.now(), message=message
        )
        row.save(update_fields=[*changed, "updated_at"])
    copy_back(ticket, row, (*STATUS_FIELDS, "updated_at"))
    return ticket


def ticket_close(*, ticket: Ticket, actor: Actor | None, actor_kind: ActorKind = ActorKind.MERCHANT) -> Ticket:
    return _status_with_note(
        ticket=ticket,
        actor=actor,
        actor_kind=actor_kind,
        status=Status.CLOSED,
        note=gettext_lazy("The ticket was closed."),
        allowed=lambda row: not row.is_closed,
        refusal=_("This ticket is already closed."),
    )


def ticket_reopen(*, ticket: Ticket, actor: Actor | None, actor_kind: ActorKind = ActorKind.MERCHANT) -> Ticket:
    # A merged duplicate stays closed: its requester goes on in a new request, support in the survivor.
    if ticket.merged_into_id is not None:
        raise ValidationError(MERGED_REFUSAL)
    return _status_with_note(
        ticket=ticket,
        actor=actor,
        actor_kind=actor_kind,
        status=Status.OPEN,
        note=gettext_lazy("The ticket was reopened."),
        # Checked again on the locked row: a merge may have closed it for good meanwhile.
        allowed=lambda row: not row.is_active and row.merged_into_id is None,
        refusal=_("This ticket is still open."),
    )


def _merge_checks(ticket: Ticket, into: Ticket) -> None:
    if ticket.pk == into.pk:
        raise ValidationError({"into": _("A ticket cannot be merged into itself.")})
    if ticket.merged_into_id is not None:
        raise ValidationError({"into": _("This ticket has already been merged.")})
    if into.merged_into_id is not None:
        raise ValidationError({"into": _("That ticket was merged into another one; merge into that one instead.")})
    # A guard against an agent's typo only, never an access decision: the MID is printed on every receipt,
    # so anyone can file a ticket under someone else's.
    if ticket.merchant_id != into.merchant_id:
        raise ValidationError({"into": _("Only tickets of the same merchant (MID) can be merged.")})


def ticket_merge(*, ticket: Ticket, into: Ticket, agent: Actor) -> Ticket:
    """Merge a duplicate into `into`: the duplicate is closed, points there, and both record the merge.

    Each ticket keeps its own messages and files. Two requesters are two people until proven otherwise (a
    MID is no proof): moving the conversation would show each one the other's name, phone, photos and
    replies through their own link. Agents follow the merge from either ticket's page.
    Both rows are locked in primary-key order, so two merges of the same pair cannot deadlock.
    """
    require_ticket_writer(agent)
    _merge_checks(ticket, into)
    with transaction.atomic():
        first, second = sorted((ticket.pk, into.pk))
        rows = {row.pk: row for row in Ticket.objects.select_for_update().filter(pk__in=(first, second))}
        source, target = rows[ticket.pk], rows[into.pk]
        _merge_checks(source, target)
        now = timezone.now()
        changed = status_apply(ticket=source, status=Status.CLOSED, actor=agent, actor_kind=ActorKind.AGENT, now=now)
        source.merged_into = target
        source.save(update_fields=[*changed, "merged_into", "updated_at"])
        for row, old, new in ((source, "", target.reference), (target, source.reference, "")):
            event_record(
                ticket=row,
                actor=agent,
                actor_kind=ActorKind.AGENT,
                kind=TicketEvent.Kind.MERGED,
                old_value=old,
                new_value=new,
            )
        target.save(update_fields=["updated_at"])
    copy_back(ticket, source, (*STATUS_FIELDS, "merged_into_id", "updated_at"))
    return target
