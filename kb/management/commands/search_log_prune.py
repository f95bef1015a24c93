"""Delete search records older than SEARCH_LOG_KEEP_DAYS (run daily from cron, docs/operations.md)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from kb import search


class Command(BaseCommand):
    help = "Delete search log records older than SEARCH_LOG_KEEP_DAYS days (default 400)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="keep this many days instead of the setting")

    def handle(self, *args, days: int | None = None, **options):
        keep = days if days is not None else settings.SEARCH_LOG_KEEP_DAYS
        if keep < 1:
            self.stderr.write("--days must be at least 1")
            raise SystemExit(2)
        deleted = search.prune_log(older_than=timedelta(days=keep))
        self.stdout.write(f"Deleted {deleted} search records older than {keep} days.")
