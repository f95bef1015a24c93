"""Rebuild the search index from the published articles and response codes.

Needed after restoring a database, after a migration that rebuilds kb_searchentry on SQLite (it drops the
FTS triggers, which this command reinstalls), or to pick up a new segmentation dictionary.
"""

import time

from django.core.management.base import BaseCommand

from kb.search.services import index_rebuild


class Command(BaseCommand):
    help = "Rebuild the knowledge-base search index (articles and response codes)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        counts = index_rebuild()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"indexed {counts['entries']} entries ({counts['articles']} articles, {counts['codes']} codes "
            f"in both languages) in {elapsed:.1f}s"
        )
