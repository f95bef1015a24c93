"""One try at a webhook delivery: the task runs it, and schedules the next try when it says so.

Kept apart from api/services.py, which enqueues deliveries: the task imports this, never the services.

The try is three steps: claim the row (a short transaction), POST with no transaction open, record the answer
(another short one). No lock or transaction is held while a receiver takes its time: on SQLite a transaction
holds the database's one write lock, so a slow receiver would stall every merchant's ticket behind it.
"""

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.models import WebhookDelivery
from infra import webhooks

logger = logging.getLogger(__name__)
# Written as the row's last error while a try is under way: the delivery log shows it, and a second run of
# the task (a requeued worker) leaves the row alone until the try has had time to end.
SENDING = "sending…"
CLAIM_GRACE_SECONDS = 60


@dataclass(frozen=True)
class Claim:
    url: str
    secret: str
    event: str
    body: bytes


def _claim(delivery_id: int) -> Claim | bool | None:
    """The row's POST, now ours to send; else what the try amounts to (True delivered, False given up or
    gone, None: another run is sending it now)."""
    now = timezone.now()
    with transaction.atomic():
        row = WebhookDelivery.objects.select_for_update().select_related("client").filter(pk=delivery_id).first()
        if row is None or row.status != WebhookDelivery.Status.PENDING:
            return row is not None and row.status == WebhookDelivery.Status.SENT
        expiry = timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + CLAIM_GRACE_SECONDS)
        if row.last_error == SENDING and row.last_attempt_at and now - row.last_attempt_at < expiry:
            return None
        row.last_attempt_at, row.last_error = now, SENDING
        row.save(update_fields=["last_attempt_at", "last_error"])
        body = json.dumps(row.payload, ensure_ascii=False, separators=(",", ":")).encode()
        return Claim(url=row.client.webhook_url, secret=row.client.webhook_secret, event=row.event, body=body)


def _record(delivery_id: int, answer: webhooks.Answer) -> bool | None:
    with transaction.atomic():
        row = WebhookDelivery.objects.select_for_update().select_related("client").get(pk=delivery_id)
        row.attempts += 1
        row.last_attempt_at = timezone.now()
        row.last_status_code = answer.status or None
        row.last_error = answer.error
        if answer.delivered:
            row.status, row.delivered_at = WebhookDelivery.Status.SENT, row.last_attempt_at
        elif row.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or not row.client.active:
            row.status = WebhookDelivery.Status.FAILED
            logger.warning("Webhook %s to %s given up after %s tries", row.pk, row.client.name, row.attempts)
        row.save()
    if row.status == WebhookDelivery.Status.PENDING:
        return None
    return row.status == WebhookDelivery.Status.SENT


def webhook_attempt(*, delivery_id: int) -> bool | None:
    """One try. True: delivered; False: failed for good; None: failed, try again later.

    A task run twice (a requeued worker) finds the row delivered, or being sent, and sends nothing.
    """
    claim = _claim(delivery_id)
    if not isinstance(claim, Claim):
        return claim
    answer = webhooks.post(
        url=claim.url,
        body=claim.body,
        secret=claim.secret,
        event=claim.event,
        delivery_id=delivery_id,
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
    )
    return _record(delivery_id, answer)
