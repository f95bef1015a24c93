"""Send again the webhook deliveries whose next try is due (cron, every minute or so).

The database task backend schedules retries itself; this catches what it cannot: the immediate backend of
development (which cannot wait), and a delivery whose task was lost. Each try locks its row and skips a
delivered one, so a delivery enqueued twice is still sent once.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from api.selectors import webhook_deliveries_due
from api.tasks import webhook_enqueue


class Command(BaseCommand):
    help = "Enqueue the webhook deliveries whose next try is due."

    def handle(self, *args, **options):
        due = webhook_deliveries_due(now=timezone.now())
        for delivery_id in due:
            webhook_enqueue(delivery_id=delivery_id)
        self.stdout.write(f"{len(due)} webhook deliveries due, enqueued.")
