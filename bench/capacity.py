"""Benchmark: what one PostgreSQL spends per ticket filed and per search recorded, to size it (docs/capacity.md).

Creates a throw-away test database (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/wt_capacity, so
test_wt_capacity; the user must be allowed to CHECKPOINT), seeds --existing tickets (bench/agent_queue.py's
seed), then, in worker processes with a connection each:

1. files tickets through `tickets.services.ticket_create` (the write the form makes once it has parsed the
   request) with its notifications (the merchant's receipt, one to each of --agents agents) queued for the
   worker as in production (TASKS_BACKEND=database): a warm-up batch, then 1 worker and N at once without
   files, then 1 worker with a small photo and a log;
2. records searches through `kb.search.services.search_log_record` (one analytics row per search, kept in
   memory and stored in one bulk insert after a response: `kb.search.flush_log`);
3. requests the agent console's pages through the test client as the seeded agent (--runs each).

For each it prints the wall rate, the PostgreSQL server's own CPU time (the backend processes' utime +
stime from /proc: PostgreSQL runs on this machine), the WAL written (cluster-wide, so other clients of the
server add to it) and the SQL statements per item, and at the end the space on disk per ticket and per
search. The Django side's CPU is not what one database limits: it is left out of the per-item database
cost but shows in the wall rate.

    .venv/bin/python bench/capacity.py [--tickets 1000] [--file-tickets 200] [--searches 4000] [--workers 2]
                                       [--existing 100000] [--agents 5] [--runs 20]
"""

import argparse
import io
import itertools
import multiprocessing
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/wt_capacity")
TICK = os.sysconf("SC_CLK_TCK")
SPOOL_BATCH = 20
PROBES = itertools.count(1000)  # worker numbers for the statement counts, so no probe repeats a submission key


def setup_django(media: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=PG_URL,
        PORTAL_VAR_DIR=media,
        TASKS_BACKEND="database",
        STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    # whitenoise looks for collected static files; the test client renders from the source folders instead.
    warnings.filterwarnings("ignore", "No directory at")
    import django

    django.setup()


def backend_cpu_seconds() -> float:
    """CPU time the PostgreSQL backend serving this connection has used so far."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def wal_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')")
        return int(cursor.fetchone()[0])


def photo_and_log() -> list:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(out, "JPEG")
    log = "".join(f"2026-05-01 10:00:{n % 60:02d} TXN {n} RESP=A0\n" for n in range(400)).encode()
    return [
        SimpleUploadedFile("screen.jpg", out.getvalue(), content_type="image/jpeg"),
        SimpleUploadedFile("pos.log", log, content_type="text/plain"),
    ]


def file_ticket(worker: int, n: int, with_files: bool):
    from django.utils import timezone

    from tickets import services

    details = services.TicketDetails(
        contact_name="王芳",
        phone="13800138000",
        email="wang@example.com",
        merchant_id=f"{102310058120000 + n % 2000}",
        terminal_id=f"{10000000 + n}",
        occurred_at=timezone.now(),
        response_code="A0",
        screen_text="MAC校验错 请重新签到",
        description="刷卡收款时提示请重新签到，签到后仍然失败。" * 3,
        steps=["开机", "操作员签到", "刷卡"],
    )
    key = f"capacity-{worker}-{n}-{'f' if with_files else 'n'}".ljust(32, "x")
    files = photo_and_log() if with_files else []
    services.ticket_create(requester=None, details=details, submission_key=key, files=files, tracking_url=tracking_url)


def tracking_url(token: str) -> str:
    # With a tracking link the merchant gets a receipt, as from the form: one more queued notification.
    return f"https://help.example.com/tickets/t/{token}/"


def record_search(worker: int, n: int, with_files: bool):
    """A search as the views record it: kept in memory, then stored in one bulk insert after a response. A
    flush every SPOOL_BATCH searches is a process answering 10 searches a second with the production flush
    interval (SEARCH_LOG_FLUSH_SECONDS=2)."""
    from kb.search import flush_log, services

    query = ["刷卡提示请重新签到", "打印机不出纸", "A0", "sign on failed"][n % 4]
    services.search_log_record(
        query=f"{query} {n}", normalized=query, language="zh-hans", source="api", result_urls=["/articles/x/"] * 5
    )
    if n % SPOOL_BATCH == SPOOL_BATCH - 1:
        flush_log()


def work(args) -> tuple[float, float, int]:
    """One worker process: `count` items; returns its wall seconds, backend CPU seconds and WAL bytes."""
    action, worker, count, with_files = args
    from django.db import connection

    connection.close()  # never share the parent's connection across fork
    cpu, wal, started = backend_cpu_seconds(), wal_bytes(), time.perf_counter()
    for n in range(count):
        action(worker, n, with_files)
    elapsed = time.perf_counter() - started
    result = elapsed, backend_cpu_seconds() - cpu, wal_bytes() - wal
    connection.close()
    return result


def statements_per_item(action, with_files: bool, *, probe: int) -> float:
    """SQL statements per item over one spool batch of items, after one item to warm the caches (content
    types, sequences)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    action(probe, SPOOL_BATCH * 2, with_files)
    with CaptureQueriesContext(connection) as captured:
        for n in range(SPOOL_BATCH):
            action(probe, n, with_files)
    return len(captured) / SPOOL_BATCH


def phase(name: str, action, *, count: int, workers: int, with_files: bool = False) -> None:
    from django.db import connection

    statements = statements_per_item(action, with_files, probe=next(PROBES))
    with connection.cursor() as cursor:
        # Each phase starts after a checkpoint, so its first write to every page is logged in full, as it is
        # for a portal writing a few tickets between two checkpoints: the WAL figure is the high one.
        cursor.execute("CHECKPOINT")
    connection.close()
    per_worker = count // workers
    jobs = [(action, worker, per_worker, with_files) for worker in range(workers)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = pool.map(work, jobs)
    wall = time.perf_counter() - started
    done = per_worker * workers
    cpu = sum(r[1] for r in results)
    wal = max(r[2] for r in results)  # each worker saw the whole cluster's WAL advance; the largest covers all
    print(
        f"{name:34} {workers:>2} {done:>6} {done / wall:>8.1f} {cpu / done * 1000:>10.2f} "
        f"{wal / done / 1024:>8.1f} {statements:>6.1f}"
    )


def agent_reads(runs: int) -> None:
    """What the agent console's reads cost the database: the pages agents keep open all day. Each page twice:
    with the shared cache as a quiet queue leaves it, and emptied before every request, as after each
    ticket change (the queue's cached count and rows are keyed to change with any ticket)."""
    import statistics

    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tickets.models import Ticket

    client = Client()
    client.force_login(get_user_model().objects.get(username="capacity-agent-0"))
    ticket = Ticket.objects.filter(attachments__isnull=False).order_by("-pk").first()
    rows_etag = client.get("/en/agent/queue/rows/")["ETag"]
    pages = {
        "agent queue, default view": ("/en/agent/", {}),
        "agent queue rows, unchanged (304)": ("/en/agent/queue/rows/", {"If-None-Match": rows_etag}),
        "agent ticket page (photo + log)": (f"/en/agent/tickets/{ticket.reference}/", {}),
    }
    print(f"{'':34} {'cache':>5} {'runs':>4} {'p50 ms':>8} {'pg CPU ms':>10} {'SQL':>6}")
    for name, (url, headers) in pages.items():
        client.get(url, headers=headers)  # warm: templates, OpenCC, jieba
        for cold in (False, True):
            times, cpu = [], backend_cpu_seconds()
            for _ in range(runs):
                if cold:
                    cache.clear()
                started = time.perf_counter()
                assert client.get(url, headers=headers).status_code in (200, 304)
                times.append((time.perf_counter() - started) * 1000)
            cpu = backend_cpu_seconds() - cpu
            if cold:
                cache.clear()
            with CaptureQueriesContext(connection) as captured:
                client.get(url, headers=headers)
            print(
                f"{name:34} {'empty' if cold else 'warm':>5} {runs:>4} {statistics.median(times):>8.1f} "
                f"{cpu / runs * 1000:>10.2f} {len(captured):>6}"
            )


def space(tables: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public' "
            "AND c.relname LIKE %s",
            [tables],
        )
        return int(cursor.fetchone()[0])


def ticket_space() -> int:
    return space(r"tickets\_%") + space(r"django\_tasks\_%")


def seed_existing(count: int, agents: int) -> None:
    """A table the size of a busy year, so each insert pays for indexes of realistic depth, and the support
    team: every agent with an email address is told of each new ticket (one queued notification each)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    sys.path.insert(0, str(ROOT / "bench"))
    from agent_queue import seed

    from tickets.models import TicketCounter

    group = Group.objects.get(name="Support agents")
    team = [
        get_user_model().objects.create_user(
            username=f"capacity-agent-{n}", email=f"agent{n}@example.com", password="x", is_staff=True
        )
        for n in range(agents)
    ]
    group.user_set.add(*team)
    seed(count, team[0])
    # The seed writes references POS-2026-000001 onwards itself; new tickets must number after them.
    TicketCounter.objects.update_or_create(year=2026, defaults={"last": count})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--file-tickets", type=int, default=200)
    parser.add_argument("--searches", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=20, help="requests per agent page")
    parser.add_argument("--existing", type=int, default=100_000, help="tickets seeded before measuring")
    parser.add_argument("--agents", type=int, default=5, help="agents notified of each new ticket")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-capacity-") as media:
        setup_django(media)
        from django.db import connection

        from kb.search.models import SearchLog
        from tickets.models import Ticket

        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            seed_existing(args.existing, args.agents)
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0]
            print(f"PostgreSQL {version} on this machine ({os.cpu_count()} CPUs, shared with the client processes)")
            print(
                f"{args.existing} tickets already in the table (bench/agent_queue.py's seed), analyzed; "
                f"{args.agents} agents, each told of every new ticket"
            )
            before = {
                "tickets": space(r"tickets\_%") + space(r"django\_tasks\_%"),
                "searches": space(r"kb\_searchlog%"),
            }
            counts = {"tickets": Ticket.objects.count(), "searches": SearchLog.objects.count()}
            print(f"{'':34} {'w':>2} {'items':>6} {'items/s':>8} {'pg CPU ms':>10} {'WAL KB':>8} {'SQL':>6}")
            # The first batch after the bulk seed costs the server about twice as much per ticket (hint bits,
            # autovacuum of the seeded rows); it is shown, and the steady state measured after it.
            phase("ticket_create, warm-up", file_ticket, count=args.tickets // 2, workers=1)
            phase("ticket_create, no files", file_ticket, count=args.tickets, workers=1)
            phase("ticket_create, no files", file_ticket, count=args.tickets, workers=args.workers)
            phase("ticket_create, photo + log", file_ticket, count=args.file_tickets, workers=1, with_files=True)
            phase("search_log_record + bulk flush", record_search, count=args.searches, workers=1)
            phase("search_log_record + bulk flush", record_search, count=args.searches, workers=args.workers)
            agent_reads(args.runs)
            connection.close()
            tickets = Ticket.objects.count() - counts["tickets"]
            searches = SearchLog.objects.count() - counts["searches"]
            ticket_bytes = ticket_space() - before["tickets"]
            search_bytes = space(r"kb\_searchlog%") - before["searches"]
            print(
                f"on disk: {ticket_bytes / tickets / 1024:.1f} KB per ticket filed here ({tickets} tickets: rows, "
                f"indexes, events, messages, attachment rows, queued notifications); "
                f"{search_bytes / searches / 1024:.2f} KB per recorded search ({searches})"
            )
        finally:
            connection.close()
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
