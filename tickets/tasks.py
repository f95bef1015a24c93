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
def notice_deliver(*, notice: dict, attempt: int = 1) -> bool:
    """Deliver one notification; when the channel fails (mail server down), enqueue it again with backoff."""
    from tickets.notifications import CHANNELS, Notice

    item = Notice(**notice)
    try:
        CHANNELS[item.channel].deliver(item)
    except Exception:  # any transport failure: SMTP down, DNS, refused connection
        if attempt >= settings.NOTIFY_MAX_ATTEMPTS:
            logger.exception("Gave up on %s for ticket %s after %d attempts", item.event, item.ticket_id, attempt)
            raise
        logger.warning("Could not deliver %s for ticket %s (attempt %d)", item.event, item.ticket_id, attempt)
        retry_enqueue(notice=notice, attempt=attempt + 1)
        return False
    return True


def retry_delay(attempt: int) -> timedelta:
    """1, 2, 4, 8 … times the base delay, capped at a day."""
    return min(timedelta(seconds=settings.NOTIFY_RETRY_SECONDS * 2 ** (attempt - 2)), timedelta(days=1))


def retry_enqueue(*, notice: dict, attempt: int) -> None:
    if default_task_backend.supports_defer:
        notice_deliver.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(notice=notice, attempt=attempt)
    else:
        # The immediate backend cannot wait: it tries again at once, up to the same number of attempts.
        notice_deliver.enqueue(notice=notice, attempt=attempt)


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
