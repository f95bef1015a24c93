"""Delivering notifications recorded by tickets/notifications.py: each try, the backoff, giving up, and an
operator sending an undeliverable one again.

A delivery row is the idempotency key of its task: the row is locked for the try and marked sent in the
same transaction, so a second run of the same task (a worker that died and was requeued, two workers)
finds it sent and sends nothing. The one window left is a crash after the mail server took the message and
before the commit; that try is then repeated (at least once, as any mail queue).
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import mail
from tickets import notifications, tasks
from tickets.access import TOKEN_PREFIX
from tickets.models import ActorKind, NoticeDelivery, TicketEvent, TrackingLink
from tickets.services.events import event_record
from tickets.services.tracking import ticket_tracking_link_add, tracking_link_current

logger = logging.getLogger(__name__)
Status = NoticeDelivery.Status


def _notice(row: NoticeDelivery, tracking_url: str) -> notifications.Notice:
    if not tracking_url and row.event in notifications.MERCHANT_EVENTS and row.ticket.requester_id is None:
        # A merchant without an account has only links: every email carries the current one.
        token = tracking_link_current(ticket=row.ticket)
        tracking_url = mail.site_link(reverse("tickets:detail", kwargs={"key": TOKEN_PREFIX + token}))
    extra = {**row.extra, **({"tracking_url": tracking_url} if tracking_url else {})}
    return notifications.Notice(
        event=row.event,
        ticket_id=row.ticket_id,
        channel=row.channel,
        address=row.address,
        language=row.language,
        message_id=row.message_id,
        extra=extra,
    )


def notice_attempt(*, delivery_id: int, tracking_url: str = "") -> bool:
    """One try at a delivery; True when it was sent now. Not pending (sent, given up, erased): nothing."""
    with transaction.atomic():
        row = (
            NoticeDelivery.objects.select_for_update(of=("self",))
            .select_related("ticket")
            .filter(pk=delivery_id)
            .first()
        )
        if row is None or row.status != Status.PENDING:
            return False
        now = timezone.now()
        row.attempts += 1
        row.last_attempt_at = now
        try:
            notifications.deliver(_notice(row, tracking_url))
        except DatabaseError:
            raise  # the database, not the channel: the task fails and is requeued (manage.py tasks_recover)
        except Exception as error:  # any transport failure: SMTP down, DNS, refused connection
            _failed(row, error, now=now, tracking_url=tracking_url)
            return False
        row.status, row.sent_at, row.last_error = Status.SENT, now, ""
        row.save(update_fields=["status", "sent_at", "last_error", "attempts", "last_attempt_at"])
    return True


def _failed(row: NoticeDelivery, error: Exception, *, now: datetime, tracking_url: str) -> None:
    row.last_error = f"{type(error).__name__}: {error}"[:300]
    if now >= row.give_up_at or not tasks.can_try_later():
        row.status = Status.UNDELIVERABLE
        # The alert for operators (log monitoring); agents see it on the ticket, the admin lists it.
        logger.error(
            "Notification %s (%s) for ticket %s is undeliverable after %d attempts: %s",
            row.pk,
            row.event,
            row.ticket_id,
            row.attempts,
            row.last_error,
        )
    else:
        logger.warning("Could not deliver notification %s (attempt %d): %s", row.pk, row.attempts, row.last_error)
        delay = tasks.retry_delay(row.attempts, remaining=row.give_up_at - now)
        transaction.on_commit(
            lambda: tasks.retry_enqueue(delivery_id=row.pk, tracking_url=tracking_url, delay=delay), robust=True
        )
    row.save(update_fields=["status", "last_error", "attempts", "last_attempt_at"])


def notice_retry(*, delivery: NoticeDelivery, actor) -> NoticeDelivery:
    """Send an undeliverable notification again (an operator, from the admin): tried again from now on,
    with a fresh backoff. A receipt to a merchant without an account gets a new tracking link, as the first
    one was never stored."""
    with transaction.atomic():
        row = NoticeDelivery.objects.select_for_update().select_related("ticket").get(pk=delivery.pk)
        if row.status != Status.UNDELIVERABLE:
            raise ValidationError(_("Only an undeliverable notification can be sent again."))
        tracking_url = ""
        if row.event == notifications.Event.RECEIPT and row.ticket.requester_id is None:
            token = ticket_tracking_link_add(ticket=row.ticket, origin=TrackingLink.Origin.NOTICE)
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
