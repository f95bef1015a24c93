"""Benchmark: the agent queue at 10,000 tickets, on SQLite and on PostgreSQL.

Creates a throw-away test database for each engine (migrated, as the tests do), seeds 10,000 tickets with
bulk_create, and requests the queue through Django's test client as a signed-in agent. Reports, per page,
the median and the slowest of N requests (ms) and the SQL query count.

    .venv/bin/python bench/agent_queue.py [--runs 20] [--tickets 10000] [--engines sqlite,postgresql]

PostgreSQL: DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/wt_queue (test database test_wt_queue).

For the gunicorn harness (../shared/bench/run.sh), `--seed-only` migrates the database DATABASE_URL names
(not a test copy), seeds it once with the same tickets and creates the agent `bench-agent` whose password is
BENCH_PASS; bench/agent_queue_targets.tsv lists the queue pages to load.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/wt_queue")
PAGES = {
    "queue, default (due time, 25)": {},
    "queue, 100 per page": {"size": "100"},
    "queue, unassigned": {"view": "unassigned"},
    "queue, about to breach": {"view": "breaching"},
    "queue, sort by priority": {"sort": "priority"},
    "queue, search 重新簽到": {"q": "重新簽到"},
    "queue, search TID": {"q": "10004567"},
    "queue, filters (status+code+acquirer)": {"status": "open", "code": "A0", "acquirer": "银联"},
    "queue, unread": {"view": "unread"},
    "queue, my teams": {"view": "teams"},
    "queue, search phone": {"q": "138 0013 8000"},
}
TEXTS = ["刷卡提示请重新签到", "打印机不出纸", "MAC校验错，交易失败", "密码键盘锁机", "扫码支付一直转圈", "结算不平"]


def seed(count: int, agent) -> None:
    from django.utils import timezone

    from tickets.models import Team, Ticket, TicketMessage
    from tickets.search import search_text_for

    rng = random.Random(8)
    # The agent's team gets the Lakala tickets (a third), as the routing rules would have sent them.
    team, _created = Team.objects.get_or_create(name="拉卡拉组")
    team.members.add(agent)
    now = timezone.now()
    statuses, priorities = Ticket.Status.values, Ticket.Priority.values
    rows = []
    for n in range(count):
        ticket = Ticket(
            reference=f"POS-2026-{n + 1:06d}",
            access_token_hash=f"{n:064d}",
            submission_key=f"bench-{n:058d}",
            contact_name="王芳",
            phone="13800138000",
            merchant_id=f"{102310058120000 + n % 2000}",
            terminal_id=f"{10000000 + n}",
            acquirer=rng.choice(["银联商务", "拉卡拉", "通联支付"]),
            occurred_at=now - timedelta(hours=n % 500),
            response_code=rng.choice(["A0", "05", "51", "96", ""]),
            screen_text=rng.choice(TEXTS),
            description=rng.choice(TEXTS) * 3,
            status=rng.choice(statuses),
            priority=rng.choice(priorities),
            assignee=agent if n % 3 == 0 else None,
            first_response_due=now + timedelta(minutes=rng.randint(-600, 3000)) if n % 10 else None,
        )
        ticket.team = team if ticket.acquirer == "拉卡拉" else None
        ticket.search_text = search_text_for(reference=ticket.reference, values=ticket)
        rows.append(ticket)
    Ticket.objects.bulk_create(rows, batch_size=1000)
    # Each ticket's first message from the merchant, and support's answer on half of them: the unread
    # markers and the "last message from" column read these.
    messages = [TicketMessage(ticket=ticket, author_role="merchant", body=ticket.description) for ticket in rows]
    messages += [TicketMessage(ticket=ticket, author_role="agent", body="请重新签到") for ticket in rows[::2]]
    TicketMessage.objects.bulk_create(messages, batch_size=2000)


def seed_only(count: int) -> None:
    """Migrate and seed the configured database for a gunicorn run; a second call leaves it as it is."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from tickets.models import Ticket

    call_command("migrate", verbosity=0)
    agent, _created = get_user_model().objects.get_or_create(username="bench-agent", defaults={"is_staff": True})
    agent.set_password(os.environ["BENCH_PASS"])
    agent.save()
    agent.groups.add(Group.objects.get(name="Support agents"))
    if not Ticket.objects.exists():
        seed(count, agent)
    print(f"{Ticket.objects.count()} tickets; agent bench-agent")


def measure(client, url: str, params: dict, runs: int, *, cold: bool = False) -> dict:
    """Median and slowest of `runs` requests, and the queries of one more. `cold`: the cache is emptied
    before each (the first view of the day: permissions, agents, teams, counts and rows all read anew)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)  # warm: template compilation, OpenCC and jieba loading
    times = []
    for _ in range(runs):
        if cold:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 304), response.status_code
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        client.get(url, params)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1), "queries": len(captured)}


def child(runs: int, count: int) -> None:
    from _common import agents_on_test_database

    with agents_on_test_database("bench-agent") as (agent,):
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        started = time.perf_counter()
        seed(count, agent)
        seeded = time.perf_counter() - started
        client = Client()
        client.force_login(agent)
        results = {name: measure(client, reverse("agents:queue"), params, runs) for name, params in PAGES.items()}
        results["queue, cold cache (first view of the day)"] = measure(
            client, reverse("agents:queue"), {}, runs, cold=True
        )
        etag = client.get(reverse("agents:queue_rows"))["ETag"]
        results["rows fragment, unchanged (304)"] = measure(
            _WithEtag(client, etag), reverse("agents:queue_rows"), {}, runs
        )
        start = time.perf_counter()
        response = client.get(reverse("agents:queue_export"))
        size = sum(len(chunk) for chunk in response.streaming_content)
        results["CSV export, all tickets"] = {"ms": round((time.perf_counter() - start) * 1000, 1), "bytes": size}
        print(
            json.dumps({"engine": connection.vendor, "tickets": count, "seed_s": round(seeded, 1), "results": results})
        )


class _WithEtag:
    """The test client, sending the fragment's ETag back as the page's script does."""

    def __init__(self, client, etag):
        self.client, self.etag = client, etag

    def get(self, url, params):
        return self.client.get(url, params, headers={"If-None-Match": self.etag})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed-only", action="store_true", help="seed DATABASE_URL itself for gunicorn runs")
    args = parser.parse_args()
    if args.seed_only:
        seed_only(args.tickets)
        return
    if args.child:
        child(args.runs, args.tickets)
        return
    for engine in args.engines.split(","):
        env = {**os.environ}
        env.pop("DATABASE_URL", None)
        if engine == "postgresql":
            env["DATABASE_URL"] = PG_URL
        command = [sys.executable, __file__, "--child", "--runs", str(args.runs), "--tickets", str(args.tickets)]
        output = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        if output.returncode:
            print(f"{engine}: failed\n{output.stderr[-3000:]}")
            continue
        report = json.loads(output.stdout.strip().splitlines()[-1])
        print(f"\n{report['engine']}: {report['tickets']} tickets (seeded in {report['seed_s']} s), {args.runs} runs")
        for name, figures in report["results"].items():
            print(f"  {name:42} " + "  ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
