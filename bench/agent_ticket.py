"""Benchmark: the agent's ticket page with 10 and with 10,000 other tickets, on SQLite and on PostgreSQL.

Creates a throw-away test database per engine (migrated, as the tests do), makes one ticket as a merchant and two
agents work it (through the services: messages, notes, photos, a log, assignments; its suggested answer stored by
the classification task), then seeds other tickets with bulk_create (one in 50 the same merchant, half of those
the same terminal, so "earlier tickets" and "same terminal" are full) and requests the page through
Django's test client as a signed-in agent. Prints the median and the slowest of N requests (ms) and the SQL query
count at each size: the count must not change, and stay within 15.

    .venv/bin/python bench/agent_ticket.py [--runs 20] [--engines sqlite,postgresql]

PostgreSQL: DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/wt_ticketpage (test database
test_wt_ticketpage).
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/wt_ticketpage")
SIZES = (10, 10_000)
# One ticket in 50 about the same merchant (200 at 10,000: a busy chain), half of those the same terminal. The
# query-count test uses one in two; the count is the same, the time of the two lists grows with those rows.
SAME_EVERY = 50


def worked_ticket(agent, colleague):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.utils import timezone

    from tests.tickets.conftest import image_bytes
    from tickets import services
    from tickets.services import TicketDetails

    details = TicketDetails(
        contact_name="王芳",
        phone="13800138000",
        email="wang@example.com",
        merchant_id="102310058120000",
        terminal_id="10000000",
        occurred_at=timezone.now(),
        description="刷卡提示MAC校验错，重新签到以后还是一样",
        response_code="A0",
        screen_text="MAC校验错",
        steps=["开机", "操作员签到", "刷卡"],
    )
    photos = [SimpleUploadedFile(f"p{n}.jpg", image_bytes(), content_type="image/jpeg") for n in range(4)]
    with transaction.atomic():  # the classification task runs once this commits (immediate backend)
        ticket = services.ticket_create(
            requester=None, details=details, submission_key="bench-ticket-page-0000000000000", files=photos
        )
    log = SimpleUploadedFile("pos.log", b"10:00 RC=A0 MAC ERROR\n" * 200, content_type="text/plain")
    services.ticket_reply(ticket=ticket, author=None, body="补充日志", files=[log])
    services.ticket_assign(ticket=ticket, agent=agent, assignee=colleague)
    services.ticket_assign(ticket=ticket, agent=agent, assignee=agent)
    for n in range(6):
        services.ticket_agent_reply(ticket=ticket, agent=agent, body=f"请重新签到 {n}")
        services.ticket_note_add(ticket=ticket, agent=colleague, body=f"内部备注 {n}")
        services.ticket_reply(ticket=ticket, author=None, body=f"还是不行 {n}")
    return ticket


def child(runs: int) -> None:
    sys.path.append(str(ROOT / "bench"))  # after the project: bench/tickets.py must not hide the tickets app
    from _common import agents_on_test_database

    with agents_on_test_database("bench-agent", "bench-colleague") as (agent, colleague):
        from agent_queue import measure
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        from tests.agents.test_ticketpage_bulk import other_tickets

        call_command("kb_load", verbosity=0)
        call_command("canned_load", verbosity=0)
        ticket = worked_ticket(agent, colleague)
        client = Client()
        client.force_login(agent)
        url = reverse("agents:ticket", kwargs={"reference": ticket.reference})
        results, seeded = {}, 0
        for size in SIZES:
            other_tickets(size - seeded, like=ticket, start=seeded, same_every=SAME_EVERY)
            seeded = size
            results[f"ticket page, {size} other tickets"] = measure(client, url, {}, runs)
        print(json.dumps({"engine": connection.vendor, "results": results}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.runs)
        return
    for engine in args.engines.split(","):
        env = {**os.environ}
        env.pop("DATABASE_URL", None)
        if engine == "postgresql":
            env["DATABASE_URL"] = PG_URL
        command = [sys.executable, __file__, "--child", "--runs", str(args.runs)]
        output = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        if output.returncode:
            print(f"{engine}: failed\n{output.stderr[-3000:]}")
            continue
        report = json.loads(output.stdout.strip().splitlines()[-1])
        print(f"\n{report['engine']}: {args.runs} runs")
        for name, figures in report["results"].items():
            print(f"  {name:34} " + "  ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
