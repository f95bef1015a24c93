"""Rebuild the search index from the published articles and response codes.

Needed after restoring a database, after a migration that rebuilds kb_searchentry on SQLite (it drops the
FTS triggers, which this command reinstalls), or to pick up a new segmentation dictionary.
"""

import time

from django.core.management.base import BaseCommand

from kb import search
from kb.search_documents import all_documents


class Command(BaseCommand):
    help = "Rebuild the knowledge-base search index (articles and response codes)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        total = search.reindex_all(all_documents())
        elapsed = time.perf_counter() - started
        self.stdout.write(f"indexed {total} pages (articles and response codes, per language) in {elapsed:.1f}s")
