"""One portal on throwaway servers for the whole fault run (tests/faults/stack.py): starting PostgreSQL,
Redis, gunicorn and the worker takes ~20 s, so every fault test shares it and leaves it healthy again.
Each test adds a row to the run's table, printed at the end and written to var/faults/last-run.md."""

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.faults.load import served_and_failed
from tests.faults.stack import ROOT, Stack
from tests.pgcluster import _binary

ROWS = ROOT / "var" / "faults" / "last-run.jsonl"  # one line per test: pytest-xdist workers write it too
STARTED = time.time()
# Short so a test sees retries and restarts within seconds (production: 60 s each, see docs/operations.md).
FAULT_ENV = {"NOTIFY_RETRY_SECONDS": "1", "WORKER_MAX_BACKOFF": "4"}


def _need(binary: str | None, what: str) -> None:
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is not installed: the fault tests must run in CI")
        pytest.skip(f"{what} is not installed: the fault tests need it")


@pytest.fixture(scope="session")
def stack():
    _need(_binary("initdb") and _binary("pg_ctl"), "PostgreSQL (initdb, pg_ctl)")
    _need(shutil.which("redis-server"), "redis-server")
    folder = Path(tempfile.mkdtemp(prefix="wt_load_faults_"))
    folder.chmod(0o755)  # the cluster runs as the postgres account when the tests run as root
    # The media folder on a 16 MB tmpfs when root may mount one; FAULTS_TMPFS_MB=0 uses the refusing storage.
    portal = Stack(folder, tmpfs_mb=int(os.environ.get("FAULTS_TMPFS_MB", "16")), extra_env=FAULT_ENV)
    try:
        yield portal.start()
    finally:
        portal.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def healthy(stack):
    """The stack ready before a fault test (a previous one may have failed half-way)."""
    stack.disk_freed()
    if stack.sink:
        stack.sink.refusing = False
    stack.wait_ready(timeout=60)
    return stack


def record(
    *,
    fault: str,
    during: list,
    acknowledged: int,
    stored: int,
    restarts: int,
    recover_s: float,
    failing: list[str],
    note: str = "",
) -> None:
    served, failed = served_and_failed(during)
    row = {
        "fault": fault,
        "served": served,
        "failed": failed,
        "acknowledged": acknowledged,
        "stored": stored,
        "restarts": restarts,
        "recover_s": recover_s,
        "failing": ", ".join(failing) or "none",
        "note": note,
    }
    ROWS.parent.mkdir(parents=True, exist_ok=True)
    if ROWS.exists() and ROWS.stat().st_mtime < STARTED:  # a file from an earlier run
        ROWS.unlink()
    with ROWS.open("a", encoding="utf-8") as out:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def pytest_terminal_summary(terminalreporter):
    if not ROWS.exists():
        return
    rows = [json.loads(line) for line in ROWS.read_text(encoding="utf-8").splitlines()]
    head = "| fault | served during | failed during | acknowledged | stored | worker restarts | /readyz named "
    head += "| recovered in | note |"
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(
            f"| {row['fault']} | {row['served']} | {row['failed']} | {row['acknowledged']} | {row['stored']} | "
            f"{row['restarts']} | {row['failing']} | {row['recover_s']:.1f} s | {row['note']} |"
        )
    load = Path("/proc/loadavg").read_text().split()[:3]
    lines.append(f"\n{time.strftime('%Y-%m-%d %H:%M')}; load average {' '.join(load)}")
    text = "\n".join(lines)
    ROWS.with_suffix(".md").write_text(text + "\n", encoding="utf-8")
    terminalreporter.write_sep("-", "faults under load (var/faults/last-run.md)")
    terminalreporter.write_line(text)
