"""Sending the notices tickets/notifications.py decided on: a NoticeDelivery row per notice, recorded in the
caller's transaction, and a delivery task per row enqueued once it commits; and an operator sending an
undeliverable one again. Each try itself is tickets/services/notices.py, run by the task."""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import mail
from tickets import tasks
from tickets.access import TOKEN_PREFIX
from tickets.models import ActorKind, NoticeDelivery, TicketEvent
from tickets.notifications import Event, Notice
from tickets.services.events import event_record
from tickets.services.tracking import ticket_tracking_link_add

Status = NoticeDelivery.Status


def notices_enqueue(*, notices: list[Notice]) -> None:
    """Record a delivery row per notice in the caller's transaction, and enqueue their tasks once it commits."""
    if not notices:
        return
    give_up_at = timezone.now() + timedelta(hours=settings.NOTIFY_GIVE_UP_HOURS)
    queued = []
    for notice in notices:
        extra = dict(notice.extra)
        # The receipt's private link exists only in the task's arguments, never in a row of ours.
        tracking_url = extra.pop("tracking_url", "")
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
        queued.append((row.pk, tracking_url))
    # robust: a queue that cannot take the task is logged, never turned into a failed request.
    transaction.on_commit(partial(_enqueue, queued), robust=True)


def _enqueue(queued: list[tuple[int, str]]) -> None:
    for delivery_id, tracking_url in queued:
        tasks.retry_enqueue(delivery_id=delivery_id, tracking_url=tracking_url, delay=timedelta(0))


def notice_retry(*, delivery: NoticeDelivery, actor) -> NoticeDelivery:
    """Send an undeliverable notification again (an operator, from the admin): tried again from now on,
    with a fresh backoff. A receipt to a merchant without an account gets a new tracking link, as the first
    one was never stored."""
    with transaction.atomic():
        row = NoticeDelivery.objects.select_for_update().select_related("ticket").get(pk=delivery.pk)
        if row.status != Status.UNDELIVERABLE:
            raise ValidationError(_("Only an undeliverable notification can be sent again."))
        tracking_url = ""
        if row.event == Event.RECEIPT and row.ticket.requester_id is None:
            token = ticket_tracking_link_add(ticket=row.ticket)
            tracking_url = mail.site_link(reverse("tickets:detail", kwargs={"key": TOKEN_PREFIX + token}))
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
            lambda: tasks.retry_enqueue(delivery_id=row.pk, tracking_url=tracking_url, delay=timedelta(0)), robust=True
        )
    return row
