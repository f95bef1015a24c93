"""Sending the notices tickets/notifications.py decided on: a NoticeDelivery row per notice, recorded in the
caller's transaction, and a delivery task per row enqueued once it commits; and an operator sending an
undeliverable one again. Recording, and each try, are tickets/services/notices.py's (the tasks run them)."""

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets import tasks
from tickets.models import ActorKind, NoticeDelivery, TicketEvent, TrackingLink
from tickets.notifications import Event, Notice
from tickets.services.events import event_record
from tickets.services.notices import notices_record, sms_link
from tickets.services.tracking import ticket_tracking_link_add, tracking_url

Status = NoticeDelivery.Status


def notices_enqueue(*, notices: list[Notice], give_up_at: datetime | None = None) -> None:
    """Record a delivery row per notice in the caller's transaction, and enqueue their tasks once it commits.
    `give_up_at`: when to stop trying (default NOTIFY_GIVE_UP_HOURS from now)."""
    if not notices:
        return
    queued = notices_record(notices=notices, give_up_at=give_up_at)
    # robust: a queue that cannot take the task is logged, never turned into a failed request.
    transaction.on_commit(partial(_enqueue, queued), robust=True)


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
            link = sms_link(row.ticket_id)  # a new short link (every link already sent keeps working)
        elif row.event == Event.RECEIPT and row.ticket.requester_id is None:
            link = tracking_url(ticket_tracking_link_add(ticket=row.ticket, origin=TrackingLink.Origin.NOTICE))
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
