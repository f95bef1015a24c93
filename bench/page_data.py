"""The data bench/pages.py measures against, and the SQL each page costs (runs inside django.setup()).

Articles come from bench/search.py (synthetic articles recombined from the shipped knowledge base, bulk
inserted and indexed with kb.search.index_many), tickets from bench/agent_queue.py (bulk_create); the one
conversation the agent ticket page shows is written through the ticket services, as agents and merchants
write it, so its attachments have the thumbnails and masked logs real ones have.
"""

import io
import random
import secrets

AGENT_USERNAME = "bench-agent"
CONVERSATION_MESSAGES = 20
CONVERSATION_FILES = 10


def seed(*, articles: int, tickets: int) -> dict:
    """Fill a migrated database; returns what the benchmark needs to address it."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from bench.agent_queue import seed as seed_tickets
    from bench.search import build

    build(articles)  # migrate + kb_load (idempotent), then the synthetic articles, indexed
    password = secrets.token_urlsafe(16)
    agent = get_user_model().objects.create_user(username=AGENT_USERNAME, password=password, is_staff=True)
    agent.groups.add(Group.objects.get(name="Support agents"))
    seed_tickets(tickets, agent)
    reference = _conversation(agent)
    _settle()
    return {"agent": AGENT_USERNAME, "password": password, "reference": reference}


def _settle() -> None:
    """PostgreSQL: vacuum and analyze what was just bulk-loaded, so autovacuum does not do it in the middle
    of the measurement (on 2 cores it took CPU from gunicorn): the pages are measured in the steady state."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _photo(seed: int) -> bytes:
    from PIL import Image

    rng = random.Random(seed)
    noise = Image.frombytes("L", (640, 480), rng.randbytes(640 * 480)).convert("RGB")
    image = Image.blend(Image.new("RGB", (640, 480), (40 * seed % 255, 90, 160)), noise, 0.3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _log(seed: int) -> bytes:
    lines = (f"2026-05-01 10:{n % 60:02d}:00 TRACE={seed:02d}{n:04d} RESP=A0 请重新签到" for n in range(400))
    return ("\n".join(lines) + "\n").encode()


def _files(n: int) -> list:
    from django.core.files.uploadedfile import SimpleUploadedFile

    if n % 2:
        return [SimpleUploadedFile(f"pos-{n}.log", _log(n), content_type="text/plain")]
    return [SimpleUploadedFile(f"screen-{n}.jpg", _photo(n), content_type="image/jpeg")]


def _conversation(agent) -> str:
    """One ticket with 20 messages (merchant, agent, internal notes) carrying 10 attachments."""
    from tickets.models import Ticket
    from tickets.services.conversation import ticket_agent_reply, ticket_note_add, ticket_reply

    ticket = Ticket.objects.order_by("pk").first()
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.OPEN, merged_into=None)
    ticket.refresh_from_db()
    for n in range(CONVERSATION_MESSAGES):
        files = _files(n) if n < CONVERSATION_FILES else []
        if n % 4 == 3:
            ticket_note_add(ticket=ticket, agent=agent, body=f"内部备注 {n}：已核对终端参数。", files=files)
        elif n % 2:
            ticket_agent_reply(ticket=ticket, agent=agent, body=f"您好，请按第 {n} 步重新签到后再试。", files=files)
        else:
            ticket_reply(ticket=ticket, author=None, body=f"第 {n} 次尝试，屏幕仍显示请重新签到。", files=files)
        ticket.refresh_from_db()
    return ticket.reference


def count_queries(rows: list[dict]) -> dict[str, int]:
    """SQL per request of each row's first path: the second of two requests, so the process is warm as under
    load. Anonymous rows send no cookie, like wrk's visitors: a page that starts a session pays for it here."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    anonymous, staff = Client(), Client()
    staff.force_login(get_user_model().objects.get(username=AGENT_USERNAME))
    counts = {}
    for row in rows:
        client = staff if row["staff"] else anonymous
        path = row["paths"][0]
        first = client.get(path, headers={"accept-encoding": "gzip"})
        if first.status_code != 200:
            raise SystemExit(f"{row['name']}: {path} answered {first.status_code}")
        if not row["staff"]:
            anonymous.cookies.clear()
        with CaptureQueriesContext(connection) as captured:
            client.get(path, headers={"accept-encoding": "gzip"})
        counts[row["name"]] = len(captured)
    return counts
