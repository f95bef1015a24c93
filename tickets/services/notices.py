"""Each try at delivering a notification recorded by tickets/services/dispatch.py: what the delivery task runs
(tickets/tasks.py), and the backoff, or giving up, when the channel refuses it.

A delivery row is the idempotency key of its task: the row is locked for the try and marked sent in the
same transaction, so a second run of the same task (a worker that died and was requeued, two workers)
finds it sent and sends nothing. The one window left is a crash after the mail server (or SMS provider)
took the message and before the commit; that try is then repeated (at least once, as any mail queue).
This module does not enqueue: it says when to try again, and the task schedules it.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from tickets import notifications
from tickets.models import NoticeDelivery

logger = logging.getLogger(__name__)
Status = NoticeDelivery.Status


@dataclass(frozen=True)
class Attempt:
    sent: bool
    retry_in: timedelta | None = None  # when to try again; None: no further try


def _notice(row: NoticeDelivery, private: dict[str, str]) -> notifications.Notice:
    extra = {**row.extra, **private}
    return notifications.Notice(
        event=row.event,
        ticket_id=row.ticket_id,
        channel=row.channel,
        address=row.address,
        language=row.language,
        message_id=row.message_id,
        extra=extra,
    )


def retry_delay(attempts: int, *, remaining: timedelta) -> timedelta:
    """1, 2, 4, 8 … times the base delay after each failed try, never past the time the notice is given up:
    the last try falls at that time."""
    delay = timedelta(seconds=settings.NOTIFY_RETRY_SECONDS * 2 ** max(attempts - 1, 0))
    return max(min(delay, remaining), timedelta(seconds=1))


def notice_attempt(*, delivery_id: int, private: dict[str, str] | None = None, can_wait: bool = False) -> Attempt:
    """One try at a delivery. Not pending (sent, given up, erased): nothing. `private`: the link or one-time
    code that is not stored in the row (it came with the task). `can_wait` says whether the
    queue can run a task later (the immediate backend of development and tests cannot): without it a refused
    notice is undeliverable at once."""
    with transaction.atomic():
        row = NoticeDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if row is None or row.status != Status.PENDING:
            return Attempt(sent=False)
        now = timezone.now()
        row.attempts += 1
        row.last_attempt_at = now
        try:
            notifications.deliver(_notice(row, private or {}))
        except DatabaseError:
            raise  # the database, not the channel: the task fails and is requeued (manage.py tasks_recover)
        except Exception as error:  # any transport failure: SMTP or SMS provider down, DNS, refused connection
            return _failed(row, error, now=now, can_wait=can_wait)
        row.status, row.sent_at, row.last_error = Status.SENT, now, ""
        row.save(update_fields=["status", "sent_at", "last_error", "attempts", "last_attempt_at"])
    return Attempt(sent=True)


def _failed(row: NoticeDelivery, error: Exception, *, now: datetime, can_wait: bool) -> Attempt:
    row.last_error = f"{type(error).__name__}: {error}"[:300]
    retry_in = None
    if now >= row.give_up_at or not can_wait:
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
        retry_in = retry_delay(row.attempts, remaining=row.give_up_at - now)
    row.save(update_fields=["status", "last_error", "attempts", "last_attempt_at"])
    return Attempt(sent=False, retry_in=retry_in)
