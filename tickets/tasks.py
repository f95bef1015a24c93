"""Background tasks (django.tasks): the database queue and `manage.py db_worker` in production, run at
once in development and tests."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import default_task_backend, task
from django.utils import timezone

logger = logging.getLogger(__name__)


@task
def notice_deliver(*, delivery_id: int, tracking_url: str = "", code: str = "") -> bool:
    """Deliver one recorded notification; True when it was sent now. Idempotent: a delivery already sent (or
    given up) is not sent again, so a task run twice (requeued after its worker died) sends nothing more. On
    failure the service says when to try again (backoff), and the next try is queued here; or it has marked
    the notice undeliverable for agents and operators."""
    private = {key: value for key, value in (("tracking_url", tracking_url), ("code", code)) if value}
    return _deliver(delivery_id, private)


@task
def find_code_send(*, code_id: int, code: str) -> bool:
    """Find my request by phone: match the code's request and send it by SMS. Queued for every request,
    matched or not, so the merchant's page does the same work (and takes the same time) either way."""
    from tickets.services.notices import find_code_notice

    # Every delivery is tried (a list, not a generator that any() would cut short).
    sent = [_deliver(delivery_id, private) for delivery_id, private in find_code_notice(code_id=code_id, code=code)]
    return any(sent)


def find_code_enqueue(*, code_id: int, code: str) -> None:
    find_code_send.enqueue(code_id=code_id, code=code)


def _deliver(delivery_id: int, private: dict[str, str]) -> bool:
    from tickets.services.notices import notice_attempt

    attempt = notice_attempt(delivery_id=delivery_id, private=private, can_wait=can_try_later())
    if attempt.retry_in is not None:
        delay = attempt.retry_in
        # robust: a queue that cannot take the task is logged; the row stays pending for an operator.
        transaction.on_commit(lambda: retry_enqueue(delivery_id=delivery_id, delay=delay, **private), robust=True)
    return attempt.sent


def retry_enqueue(*, delivery_id: int, delay: timedelta, tracking_url: str = "", code: str = "") -> None:
    """Queue a try at a delivery; the link or code it needs (never stored in our rows) goes with it."""
    private = {key: value for key, value in (("tracking_url", tracking_url), ("code", code)) if value}
    kwargs: dict = {"delivery_id": delivery_id, **private}
    if delay > timedelta(0) and can_try_later():
        notice_deliver.using(run_after=timezone.now() + delay).enqueue(**kwargs)
    else:
        notice_deliver.enqueue(**kwargs)


def can_try_later() -> bool:
    # The immediate backend (development, tests) cannot wait: a failed notice is shown as undeliverable at once.
    return default_task_backend.supports_defer


@task
def ticket_classify(*, ticket_id: int) -> str:
    """Store a new ticket's suggested answer, so no agent's first view of the ticket waits for the search."""
    from tickets.classify import suggestion_for
    from tickets.models import Ticket

    ticket = Ticket.objects.select_related("classification").filter(pk=ticket_id).first()
    if ticket is None:  # deleted before the worker got to it
        return ""
    return suggestion_for(ticket).article_slug


def classification_enqueue(ticket_id: int) -> None:
    """Called inside the creating transaction: the task is queued only once the ticket is committed."""

    def enqueue() -> None:
        ticket_classify.enqueue(ticket_id=ticket_id)

    # robust: a queue that cannot take the task is logged; the page then computes the suggestion itself.
    transaction.on_commit(enqueue, robust=True)


@task
def attachment_read(*, attachment_id: int, attempt: int = 1) -> str:
    """Read a photo attached to a ticket (tickets.photos); idempotent, so a task run twice reads it once.
    Turned away because the OCR server is busy (merchants' photo searches come first), it is tried again
    after OCR_READ_RETRY_SECONDS, then twice that, four times … up to OCR_READ_TRIES tries in all; then
    the photo is left without text, as one that cannot be read."""
    from tickets.photos import attachment_photo_read

    outcome = attachment_photo_read(attachment_id=attachment_id)
    if outcome != "busy":
        return outcome
    delay = read_retry_delay(attempt)
    if delay is None:
        logger.warning("attachment %s: the OCR server stayed busy for %d tries; left unread", attachment_id, attempt)
        return "given up"
    run_after = timezone.now() + delay
    # robust: a queue that cannot take the task is logged; the photo stays unread, the ticket is unharmed.
    transaction.on_commit(
        lambda: attachment_read.using(run_after=run_after).enqueue(attachment_id=attachment_id, attempt=attempt + 1),
        robust=True,
    )
    return "busy"


def read_retry_delay(attempt: int) -> timedelta | None:
    """How long after try `attempt` the next one runs, or None when none is left: the tries are spent, or
    the queue runs tasks at once (development, tests), where another try would meet the same busy server."""
    if attempt >= settings.OCR_READ_TRIES or not can_try_later():
        return None
    return timedelta(seconds=settings.OCR_READ_RETRY_SECONDS * 2 ** (attempt - 1))


def attachment_read_enqueue(attachment_id: int) -> None:
    """Called inside the transaction that attaches a photo: it is read once the ticket is committed. A queue
    that cannot take the task is logged (robust), never failing the submission; the photo stays unread."""
    transaction.on_commit(lambda: attachment_read.enqueue(attachment_id=attachment_id), robust=True)
