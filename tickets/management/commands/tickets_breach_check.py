from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from tickets.services.timing import tickets_breach_warn


class Command(BaseCommand):
    help = "Warn agents about tickets close to a due time, once per ticket and due time (run every few minutes)."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=settings.BREACH_WARNING_MINUTES)

    def handle(self, *args, minutes: int, **options):
        warned = tickets_breach_warn(now=timezone.now(), within=timedelta(minutes=minutes))
        self.stdout.write(f"{warned} warning(s) enqueued.")
