"""Each try at delivering a notification recorded by tickets/services/dispatch.py: what the delivery task runs
(tickets/tasks.py), and the backoff, or giving up, when the channel refuses it.

A delivery row is the idempotency key of its task: the row is locked for the try and marked sent in the
same transaction, so a second run of the same task (a worker that died and was requeued, two workers)
finds it sent and sends nothing. The one window left is a crash after the mail server (or SMS provider)
took the message and before the commit; that try is then repeated (at least once, as any mail queue).
This module does not enqueue: it records (`notices_record`) and says when to try again, and the tasks
enqueue (tickets/tasks.py, tickets/services/dispatch.py).

An SMS carries a link of its own: a new short tracking link is added for it here (the receipt's long link
does not fit in 70 characters, and no link is stored in clear to be sent again). Private values (the link,
a one-time code) travel only in the task's arguments, never in a row of ours.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from infra.ratelimit import Limit
from tickets import notifications
from tickets.models import FindCode, NoticeDelivery, Ticket
from tickets.notifications import Event, Notice
from tickets.selectors import ticket_to_find
from tickets.services.tracking import ticket_tracking_link_add, tracking_link_current, tracking_url

logger = logging.getLogger(__name__)
Status = NoticeDelivery.Status


PRIVATE = ("tracking_url", "code")


@dataclass(frozen=True)
class Attempt:
    sent: bool
    retry_in: timedelta | None = None  # when to try again; None: no further try


def _notice(row: NoticeDelivery, private: dict[str, str]) -> notifications.Notice:
    private = dict(private)
    merchant = row.event in notifications.MERCHANT_EVENTS and row.event != Event.FIND_CODE
    if not private.get("tracking_url") and merchant and row.ticket.requester_id is None:
        # A merchant without an account has only links: every email carries the current one.
        private["tracking_url"] = tracking_url(tracking_link_current(ticket=row.ticket))
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
        row = (
            NoticeDelivery.objects.select_for_update(of=("self",))
            .select_related("ticket")
            .filter(pk=delivery_id)
            .first()
        )
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


def notices_record(*, notices: list[Notice], give_up_at: datetime | None = None) -> list[tuple[int, dict[str, str]]]:
    """A delivery row per notice, in the caller's transaction; returns each row's id with the private values
    its task must carry. `give_up_at`: when to stop trying (default NOTIFY_GIVE_UP_HOURS from now)."""
    give_up_at = give_up_at or timezone.now() + timedelta(hours=settings.NOTIFY_GIVE_UP_HOURS)
    recorded = []
    for notice in notices:
        extra = dict(notice.extra)
        private = {key: extra.pop(key) for key in PRIVATE if extra.get(key)}
        if notice.channel == "sms" and notice.event != Event.FIND_CODE:
            private["tracking_url"] = sms_link(notice.ticket_id)
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
        recorded.append((row.pk, private))
    return recorded


def sms_link(ticket_id: int) -> str:
    """A new short tracking link for an SMS (every link already sent keeps working)."""
    token = ticket_tracking_link_add(ticket=Ticket.objects.get(pk=ticket_id), short=True)
    return tracking_url(token, short=True)


def find_code_notice(*, code_id: int, code: str) -> list[tuple[int, dict[str, str]]]:
    """The task's half of "Find my request" by phone: match the code's reference (or MID/TID) and number to a
    ticket and record the SMS that carries the code, tried until the code expires. Nothing when they match
    no ticket, when the number has had FIND_CODES_PER_NUMBER codes this hour, or when this was done already
    (a task run twice sends one SMS)."""
    with transaction.atomic():
        row = FindCode.objects.select_for_update().filter(pk=code_id, ticket__isnull=True, used_at__isnull=True).first()
        if row is None or row.expires_at <= timezone.now():
            return []
        ticket = ticket_to_find(lookup=row.lookup, phone=row.phone)
        if ticket is None:
            return []
        # Counted only for a matching pair, so only someone who knows the reference (or MID/TID) and the
        # number can spend the owner's codes; past the limit nothing is sent, and the page said "if".
        if not Limit("find-code-number", settings.FIND_CODES_PER_NUMBER, 3600).hit(row.phone):
            logger.warning("Find-my-request code %s not sent: too many codes for that number this hour", row.pk)
            return []
        row.ticket = ticket
        row.save(update_fields=["ticket"])
        notices = notifications.merchant_sms(ticket, Event.FIND_CODE, extra={"code": code})
        return notices_record(notices=notices, give_up_at=row.expires_at)
