"""Benchmark: the agent dashboard's SQL query count and render time at several ticket counts.

Creates a throw-away test database (SQLite by default, PostgreSQL with DATABASE_URL), adds tickets spread
over 90 days in bulk, and times the page as a signed-in agent sees it (median of a few runs per size).

    .venv/bin/python bench/dashboard.py [--sizes 100 1000 10000] [--runs 5]
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def seed(count: int, start: int) -> None:
    from django.db.models import F
    from django.utils import timezone

    from tests.agents.dashboard_helpers import ticket_row
    from tickets.models import Ticket

    rng = random.Random(start)
    now = timezone.now()
    rows = []
    for _ in range(count):
        created = now - timedelta(minutes=rng.randrange(90 * 24 * 60))
        rows.append(
            ticket_row(
                status=rng.choice(list(Ticket.Status)),
                priority=rng.choice(list(Ticket.Priority)),
                response_code=rng.choice(["A0", "51", "55", "96", "", ""]),
                article_slug=rng.choice(["sign-on", "settlement", "", ""]),
                first_response_due=created + timedelta(hours=2),
                first_responded_at=created + timedelta(minutes=rng.randrange(300)) if rng.random() < 0.8 else None,
                resolution_due=created + timedelta(days=1),
            )
        )
    Ticket.objects.bulk_create(rows, batch_size=1000)
    # created_at is auto_now_add: move every ticket back to two hours before its first due time (idempotent).
    Ticket.objects.update(created_at=F("first_response_due") - timedelta(hours=2))


def measure(client, runs: int) -> tuple[int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            assert client.get("/agent/dashboard/", {"days": 90}).status_code == 200
            times.append(time.perf_counter() - began)
        queries = len(captured)
    return queries, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.conf import settings

    # No collectstatic in a benchmark: plain static URLs instead of the hashed manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        agent = get_user_model().objects.create_user(username="bench-agent", is_staff=True)
        agent.user_permissions.set(Permission.objects.filter(content_type__app_label="tickets"))
        client = Client(HTTP_HOST="localhost")
        client.force_login(agent)
        print(f"database: {connection.vendor}")
        have = 0
        for size in sorted(args.sizes):
            seed(size - have, have)
            have = size
            queries, seconds = measure(client, args.runs)
            print(f"{size:>7} tickets: {queries} queries, median {seconds * 1000:.0f} ms (90-day period)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
