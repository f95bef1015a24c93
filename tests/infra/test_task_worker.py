"""The supervised task worker (bin/task-worker) through a real database outage: db_worker dies with the
database, is started again with backoff, and a task that fell due while the database was down runs once it
is back. A throwaway PostgreSQL cluster is killed mid-run (tests/pgcluster.py)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.pgcluster import portal_env, throwaway_cluster

ROOT = Path(__file__).resolve().parents[2]
ENQUEUE = """
from datetime import timedelta
from django.utils import timezone
from tickets.tasks import ticket_classify
due = timezone.now() + timedelta(seconds=15)
print(due.timestamp(), ticket_classify.using(run_after=due).enqueue(ticket_id=0).id)
"""


@pytest.fixture(scope="module")
def cluster():
    yield from throwaway_cluster()


@pytest.fixture
def database(cluster, tmp_path):
    url = cluster.create_database("wt_worker_tasks")
    env = portal_env(cluster, url, tmp_path, TASKS_BACKEND="database", WORKER_MAX_BACKOFF="1", PYTHON=sys.executable)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True, timeout=300
    )
    return url, env


@pytest.fixture
def worker(database, tmp_path):
    _url, env = database
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(ROOT / "bin/task-worker"), "--interval", "0.2", "--no-startup-delay"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the loop and its db_worker are stopped together
        )
    yield log
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def _until(check, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)  # real processes: polled, there is no clock to move
    raise AssertionError(f"timed out waiting for {what}")


def _status(url: str, task_id: str) -> str:
    try:
        with psycopg.connect(url, connect_timeout=2) as connection:
            row = connection.execute(
                "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s", [task_id]
            ).fetchone()
            return row[0] if row else ""
    except psycopg.OperationalError:
        return ""


def test_a_task_due_while_the_database_was_down_runs_once_it_is_back(cluster, database, worker):
    url, env = database
    enqueued = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", ENQUEUE], env=env, cwd=ROOT, capture_output=True, text=True
    )
    # Due 15 s after it is queued: time enough, on a busy machine, to see it waiting before the outage.
    due, task_id = enqueued.stdout.strip().splitlines()[-1].split()
    assert _status(url, task_id) == "READY"

    cluster.kill()
    try:
        _until(lambda: "db_worker exited" in worker.read_text(), "the worker to die with the database")
        # The task falls due while the database is still down (a real clock: real processes).
        time.sleep(max(0.0, float(due) - time.time()) + 1)
    finally:
        cluster.start()

    assert _until(lambda: _status(url, task_id) == "SUCCESSFUL", "the task to run after the database returned")
    assert "starting it again" in worker.read_text()
