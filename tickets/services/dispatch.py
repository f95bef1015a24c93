"""Sending the notices tickets/notifications.py decided on: a NoticeDelivery row per notice, recorded in the
caller's transaction, and a delivery task per row enqueued once it commits; and an operator sending an
undeliverable one again. Each try itself is tickets/services/notices.py, run by the task.

An SMS carries a link of its own: a new short tracking link is added for it here (the receipt's long link
does not fit in 70 characters, and no link is stored in clear to be sent again). Private values (the link,
a one-time code) travel only in the task's arguments, never in a row of ours."""

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import tasks
from tickets.models import ActorKind, NoticeDelivery, Ticket, TicketEvent
from tickets.notifications import Event, Notice
from tickets.services.events import event_record
from tickets.services.tracking import ticket_tracking_link_add, tracking_url

PRIVATE = ("tracking_url", "code")

Status = NoticeDelivery.Status


def notices_enqueue(*, notices: list[Notice], give_up_at: datetime | None = None) -> None:
    """Record a delivery row per notice in the caller's transaction, and enqueue their tasks once it commits.
    `give_up_at`: when to stop trying (a one-time code is no use after it expires); NOTIFY_GIVE_UP_HOURS."""
    if not notices:
        return
    give_up_at = give_up_at or timezone.now() + timedelta(hours=settings.NOTIFY_GIVE_UP_HOURS)
    queued = []
    for notice in notices:
        extra = dict(notice.extra)
        private = {key: extra.pop(key) for key in PRIVATE if extra.get(key)}
        if notice.channel == "sms" and notice.event != Event.FIND_CODE:
            private["tracking_url"] = _sms_link(notice.ticket_id)
        row = NoticeDelivery.objects.create(
            ticket_id=notice.ticket_id,
            event=notice.event,
            channel=notice.channel,
            address=notice.address,
            language=notice.language,
            message_id=notice.message_id,
            extra=extra,
            give_up_at=give_up_at,
        )
        queued.append((row.pk, private))
    # robust: a queue that cannot take the task is logged, never turned into a failed request.
    transaction.on_commit(partial(_enqueue, queued), robust=True)


def _sms_link(ticket_id: int) -> str:
    token = ticket_tracking_link_add(ticket=Ticket.objects.get(pk=ticket_id), short=True)
    return tracking_url(token, short=True)


def _enqueue(queued: list[tuple[int, dict[str, str]]]) -> None:
    for delivery_id, private in queued:
        tasks.retry_enqueue(delivery_id=delivery_id, delay=timedelta(0), **private)


def notice_retry(*, delivery: NoticeDelivery, actor) -> NoticeDelivery:
    """Send an undeliverable notification again (an operator, from the admin): tried again from now on,
    with a fresh backoff. A receipt to a merchant without an account gets a new tracking link, as the first
    one was never stored."""
    with transaction.atomic():
        row = NoticeDelivery.objects.select_for_update().select_related("ticket").get(pk=delivery.pk)
        if row.status != Status.UNDELIVERABLE:
            raise ValidationError(_("Only an undeliverable notification can be sent again."))
        if row.event == Event.FIND_CODE:
            raise ValidationError(_("A code to find a request expires in minutes: the merchant asks for a new one."))
        link = ""
        if row.channel == "sms":
            link = _sms_link(row.ticket_id)
        elif row.event == Event.RECEIPT and row.ticket.requester_id is None:
            link = tracking_url(ticket_tracking_link_add(ticket=row.ticket))
        row.status, row.attempts, row.last_error = Status.PENDING, 0, ""
        row.give_up_at = timezone.now() + timedelta(hours=settings.NOTIFY_GIVE_UP_HOURS)
        row.save(update_fields=["status", "attempts", "last_error", "give_up_at"])
        event_record(
            ticket=row.ticket,
            actor=actor,
            actor_kind=ActorKind.AGENT,
            kind=TicketEvent.Kind.NOTICE,
            new_value=row.event,
        )
        transaction.on_commit(
            lambda: tasks.retry_enqueue(delivery_id=row.pk, tracking_url=link, delay=timedelta(0)), robust=True
        )
    return row
