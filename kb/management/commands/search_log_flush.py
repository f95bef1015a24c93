from django.core.management.base import BaseCommand

from kb import search


class Command(BaseCommand):
    help = (
        "Store the spooled search log now: this process's and those left by processes that are gone "
        "(running web processes store theirs within SEARCH_LOG_FLUSH_SECONDS)."
    )

    def handle(self, *args, **options):
        stored = search.flush_log()
        self.stdout.write(f"Stored {stored} search log records.")
