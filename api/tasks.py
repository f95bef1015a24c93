"""Webhook deliveries run by the task worker, with backoff: 1, 2, 4 … × WEBHOOK_RETRY_SECONDS."""

from datetime import timedelta

from django.conf import settings
from django.tasks import default_task_backend, task
from django.utils import timezone


@task
def webhook_deliver(*, delivery_id: int) -> bool:
    from api.delivery import webhook_attempt
    from api.models import WebhookDelivery

    outcome = webhook_attempt(delivery_id=delivery_id)
    if outcome is None:
        attempts = WebhookDelivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True).first() or 1
        delay = timedelta(seconds=settings.WEBHOOK_RETRY_SECONDS * 2 ** (attempts - 1))
        if default_task_backend.supports_defer:
            webhook_deliver.using(run_after=timezone.now() + delay).enqueue(delivery_id=delivery_id)
        # The immediate backend (development, tests) cannot wait: the row stays pending, `manage.py
        # api_webhooks_retry` or the next event sends it again.
    return bool(outcome)


def webhook_enqueue(*, delivery_id: int) -> None:
    webhook_deliver.enqueue(delivery_id=delivery_id)
