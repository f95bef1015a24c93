"""One try at a webhook delivery: the task runs it, and schedules the next try when it says so.

Kept apart from api/services.py, which enqueues deliveries: the task imports this, never the services.
"""

import json
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.models import WebhookDelivery
from portal import webhooks

logger = logging.getLogger(__name__)


def webhook_attempt(*, delivery_id: int) -> bool | None:
    """One try. True: delivered; False: failed for good; None: failed, try again later.

    The row is locked for the try: a task run twice (a requeued worker) finds it delivered and sends nothing.
    """
    with transaction.atomic():
        row = WebhookDelivery.objects.select_for_update().select_related("client").filter(pk=delivery_id).first()
        if row is None or row.status != WebhookDelivery.Status.PENDING:
            return row is not None and row.status == WebhookDelivery.Status.SENT
        body = json.dumps(row.payload, ensure_ascii=False, separators=(",", ":")).encode()
        answer = webhooks.post(
            url=row.client.webhook_url,
            body=body,
            secret=row.client.webhook_secret,
            event=row.event,
            delivery_id=row.pk,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
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
