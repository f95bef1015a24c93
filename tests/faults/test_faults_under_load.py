"""Each dependency fails for a few seconds while merchants read pages and send tickets with a photo and a
log: what docs/operations.md promises holds on real servers (tests/faults/stack.py), killed and started
again mid-load. Every test asserts the pages served, that no acknowledged send was lost, that nothing was
left half-written, that the worker takes tasks again, and what /readyz said during and after.

Outages are short so the whole run stays within CI's budget: Redis 8 s (FAULTS_REDIS_DOWN_SECONDS=20 for
the issue's 20 s: the code path is the same after the first failed call), PostgreSQL 8 s, the disk full
8 s, SMTP refusing for three tries.
"""

import os
import signal
import time

import pytest

from tests.faults.conftest import record
from tests.faults.load import Load
from tests.faults.stack import until

pytestmark = [pytest.mark.faults, pytest.mark.postgres]
DOWN_S = 8
REDIS_DOWN_S = int(os.environ.get("FAULTS_REDIS_DOWN_SECONDS", "8"))  # 20 for the full outage
WORKER_NOTE = "recovered: killed until a new task ran; /readyz cannot see a 2 s gap (heartbeat age 300 s)"
UNSAVED = "Nothing was lost on your phone"


def _outage(stack, *, breaks, mends, part: str, load: Load, down_s: float = DOWN_S) -> tuple:
    """Break a part 2 s into the load, wait for /readyz to name it, keep it down `down_s` in all, mend it;
    returns (start, end, failing, seconds from the mending until /readyz answered 200 again)."""
    time.sleep(2)
    start = time.monotonic()
    breaks()
    failing = stack.wait_failing(part)
    time.sleep(max(0.0, start + down_s - time.monotonic()))
    end = time.monotonic()
    mends()
    stack.wait_ready(timeout=90)
    recovered = time.monotonic() - end  # the restart included
    time.sleep(2)  # the load goes on after recovery
    return start, end, failing, recovered


def _acknowledged_are_stored(stack, load: Load) -> tuple[int, int]:
    """Every send answered 302 has its ticket, with its photo and log (and the photo's thumbnail) on disk,
    none empty; and no empty file anywhere in the media folder. Returns (acknowledged, stored)."""
    acknowledged = load.acknowledged()
    found = stack.stored(acknowledged)
    assert [key for key in acknowledged if key not in found] == [], "acknowledged sends with no ticket"
    assert [key for key in acknowledged if len(found[key]) < 2] == [], "tickets without their photo and log"
    names = [name for key in acknowledged for row in found[key] for name in row[:2] if name]
    assert stack.missing_files(names) == [], "stored files missing or empty on disk"
    assert stack.empty_files() == [], "half-written (0-byte) files in the media folder"
    assert stack.unreferenced_files() == [], "files of failed sends left in the media folder"
    return len(acknowledged), len(found)


def _worker_takes_tasks(stack) -> None:
    task = stack.enqueue_heartbeat()
    until(lambda: stack.task_status(task) == "SUCCESSFUL", "a task enqueued after recovery to run", timeout=60)


def _not_served(answers) -> list:
    return [(a.kind, a.path, a.status) for a in answers if a.status not in (200, 302)]


def test_with_redis_down_every_page_is_served_and_every_send_kept(healthy):
    stack, restarts = healthy, healthy.worker_restarts()
    with Load(stack.base) as load:
        start, end, failing, recovered = _outage(
            stack, breaks=stack.redis.kill, mends=stack.redis.start, part="cache", load=load, down_s=REDIS_DOWN_S
        )
    assert _not_served(load.answers) == []
    assert failing == ["cache"]
    acknowledged, stored = _acknowledged_are_stored(stack, load)
    _worker_takes_tasks(stack)
    record(
        fault=f"Redis killed {REDIS_DOWN_S} s",
        during=load.during(start, end),
        acknowledged=acknowledged,
        stored=stored,
        restarts=stack.worker_restarts() - restarts,
        recover_s=recovered,
        failing=failing,
    )


def test_with_the_database_down_sends_get_the_unsaved_page_and_none_is_lost(healthy):
    stack, restarts = healthy, healthy.worker_restarts()
    with Load(stack.base) as load:
        start, end, failing, recovered = _outage(
            stack, breaks=stack.cluster.kill, mends=stack.cluster.start, part="database", load=load
        )
    sends = [a for a in load.answers if a.kind == "ticket"]
    assert {a.status for a in sends} <= {302, 503}, [(a.status, a.body[:200]) for a in sends if a.status != 302]
    assert all(UNSAVED in a.body for a in sends if a.status == 503)
    assert any(a.status == 503 for a in sends), "no send fell into the outage"
    assert [a for a in load.answers if a.status == 0] == [], "requests with no answer at all"
    # Before the kill, and sent once /readyz answered 200 again: every page and send served.
    outside = [a for a in load.answers if a.at < start or a.sent > end + recovered]
    assert _not_served(outside) == []
    assert "database" in failing
    acknowledged, stored = _acknowledged_are_stored(stack, load)
    _worker_takes_tasks(stack)
    during = load.during(start, end)
    pages = [a for a in during if a.kind == "page"]
    record(
        fault=f"PostgreSQL killed {DOWN_S} s",
        during=during,
        acknowledged=acknowledged,
        stored=stored,
        restarts=stack.worker_restarts() - restarts,
        recover_s=recovered,
        failing=failing,
        note=f"sends answered 503: {sum(a.status == 503 for a in sends)}; "
        f"pages served from cache: {sum(a.status == 200 for a in pages)}/{len(pages)}",
    )


def test_a_killed_worker_is_started_again_and_its_tasks_run(healthy):
    stack, restarts = healthy, healthy.worker_restarts()
    with Load(stack.base) as load:
        time.sleep(2)
        killed = until(stack.db_worker_pid, "a running db_worker")
        start = time.monotonic()
        os.kill(killed, signal.SIGKILL)
        until(lambda: stack.db_worker_pid() not in (None, killed), "the supervisor to start db_worker again")
        end = time.monotonic()
        _worker_takes_tasks(stack)
        back = time.monotonic() - start
        failing = stack.readiness()[1]
        time.sleep(2)
    assert _not_served(load.answers) == []
    assert stack.worker_restarts() - restarts == 1
    acknowledged, stored = _acknowledged_are_stored(stack, load)
    # What the killed worker had claimed was queued again (tasks_recover --dead-worker) and ran.
    running = "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING' AND worker_ids @> %s"
    until(lambda: stack.query(running, [f'["{killed}"]'])[0][0] == 0, "no task left RUNNING", timeout=30)
    stack.wait_ready()
    record(
        fault="worker SIGKILL",
        during=load.during(start, end),
        acknowledged=acknowledged,
        stored=stored,
        restarts=stack.worker_restarts() - restarts,
        recover_s=back,
        failing=failing,
        note=WORKER_NOTE,
    )


def test_with_the_disk_full_sends_get_the_unsaved_page_and_nothing_is_half_written(healthy):
    stack, restarts = healthy, healthy.worker_restarts()
    with Load(stack.base) as load:
        start, end, failing, recovered = _outage(
            stack, breaks=stack.disk_full, mends=stack.disk_freed, part="storage", load=load
        )
    sends = [a for a in load.answers if a.kind == "ticket"]
    assert {a.status for a in sends} <= {302, 503}, [(a.status, a.body[:200]) for a in sends if a.status != 302]
    assert all(UNSAVED in a.body for a in sends if a.status == 503)
    assert any(a.status == 503 for a in sends), "no send fell into the full disk"
    assert _not_served([a for a in load.answers if a.kind == "page"]) == []
    assert failing == ["storage"]
    acknowledged, stored = _acknowledged_are_stored(stack, load)
    _worker_takes_tasks(stack)
    how = "tmpfs written full" if stack.mounted else "refusing storage (no tmpfs)"
    record(
        fault=f"disk full {DOWN_S} s",
        during=load.during(start, end),
        acknowledged=acknowledged,
        stored=stored,
        restarts=stack.worker_restarts() - restarts,
        recover_s=recovered,
        failing=failing,
        note=f"{how}; sends answered 503: {sum(a.status == 503 for a in sends)}",
    )


PENDING_MAIL = "SELECT id, attempts FROM tickets_noticedelivery WHERE channel = 'email' AND status = %s"
RETRY = """
from django.contrib.auth import get_user_model
from tickets.models import NoticeDelivery
from tickets.services.dispatch import notice_retry
operator, _ = get_user_model().objects.get_or_create(username="fault-operator", defaults={"is_staff": True})
for row in NoticeDelivery.objects.filter(status="undeliverable"):
    notice_retry(delivery=row, actor=operator)
"""


def test_with_smtp_down_past_the_retry_limit_notices_are_undeliverable_then_sent_again(healthy):
    stack, restarts = healthy, healthy.worker_restarts()
    sink, sent_before = stack.sink, len(stack.sink.messages)
    start = time.monotonic()
    sink.refusing = True
    with Load(stack.base, max_seconds=6, email="merchant@example.com") as load:
        time.sleep(6)
    failing = stack.readiness()[1]
    # Every receipt tried three times (after 1, 2 s: NOTIFY_RETRY_SECONDS=1), none sent.
    until(lambda: all(n >= 3 for _id, n in stack.query(PENDING_MAIL, ["pending"])), "three tries each", timeout=40)
    assert stack.query(PENDING_MAIL, ["pending"]), "no receipt was queued"
    # 24 hours later, in one statement: the give-up time reached, the next try is the last.
    stack.query("UPDATE tickets_noticedelivery SET give_up_at = now() WHERE status = 'pending' RETURNING id")
    until(lambda: not stack.query(PENDING_MAIL, ["pending"]), "every receipt to be undeliverable", timeout=40)
    given_up = len(stack.query(PENDING_MAIL, ["undeliverable"]))
    end = time.monotonic()
    sink.refusing = False
    stack.manage("shell", "-c", RETRY)  # an operator: "Send the selected undeliverable notifications again"
    until(lambda: not stack.query(PENDING_MAIL, ["pending"]), "the receipts sent again", timeout=40)
    recovered = time.monotonic() - end
    assert stack.query(PENDING_MAIL, ["undeliverable"]) == []
    assert len(sink.messages) - sent_before >= given_up
    assert _not_served(load.answers) == []
    assert failing == []  # mail is not a readiness part
    acknowledged, stored = _acknowledged_are_stored(stack, load)
    _worker_takes_tasks(stack)
    stack.wait_ready()
    record(
        fault="SMTP 421 past the retry limit",
        during=load.during(start, end),
        acknowledged=acknowledged,
        stored=stored,
        restarts=stack.worker_restarts() - restarts,
        recover_s=recovered,
        failing=failing,
        note=f"{given_up} receipts undeliverable, then sent again; {sink.refused} connections refused",
    )
