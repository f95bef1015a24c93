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
def notice_deliver(*, delivery_id: int, tracking_url: str = "") -> bool:
    """Deliver one recorded notification. Idempotent: a delivery already sent (or given up) is not sent
    again, so a task run twice (requeued after its worker died) sends nothing more. On failure the service
    enqueues the next try with backoff, or marks it undeliverable for agents and operators."""
    from tickets.services.notices import notice_attempt

    return notice_attempt(delivery_id=delivery_id, tracking_url=tracking_url)


def retry_delay(attempts: int, *, remaining: timedelta) -> timedelta:
    """1, 2, 4, 8 … times the base delay after each failed try, never past the time the notice is given up:
    the last try falls at that time."""
    delay = timedelta(seconds=settings.NOTIFY_RETRY_SECONDS * 2 ** max(attempts - 1, 0))
    return max(min(delay, remaining), timedelta(seconds=1))


def retry_enqueue(*, delivery_id: int, tracking_url: str, delay: timedelta) -> None:
    kwargs = {"delivery_id": delivery_id, **({"tracking_url": tracking_url} if tracking_url else {})}
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
def attachment_read(*, attachment_id: int) -> str:
    """Read a photo attached to a ticket (tickets.photos); idempotent, so a task run twice reads it once."""
    from tickets.photos import attachment_photo_read

    return attachment_photo_read(attachment_id=attachment_id)


def attachment_read_enqueue(attachment_id: int) -> None:
    """Called inside the transaction that attaches a photo: it is read once the ticket is committed. A queue
    that cannot take the task is logged (robust), never failing the submission; the photo stays unread."""
    transaction.on_commit(lambda: attachment_read.enqueue(attachment_id=attachment_id), robust=True)
