"""The search log, written off the request's critical path and without losing a record.

Editors' analytics need every search, but an INSERT per search made each search wait for the database's
write lock (on SQLite, one writer for the whole machine). Instead a process appends each record, one JSON
line, to its own spool file (the OS keeps it even if the process dies) and, after a response has been
sent, moves its spool into the database in bulk inserts at most once per SEARCH_LOG_FLUSH_SECONDS.

- Every record has its own key, so a drain repeated after a crash (between the insert and removing the
  spool) inserts nothing twice.
- "Opened result N" is spooled the same way. It is applied after its search; one whose search is still in
  another process's spool waits in this one for the next drain (for up to an hour).
- A spool left by a process that is gone (a crash, a restart) is claimed by the next drain on the same
  machine, or by `manage.py search_log_flush`.
"""

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kb.search.models import SearchLog

logger = logging.getLogger(__name__)

OPEN_PATIENCE = timedelta(hours=1)
DRAIN_BATCH = 100
_lock = threading.Lock()
_state = {"pending": False, "drained": 0.0}
# This process's spool, kept open between records (opening it per record cost as much as writing one).
_open: dict = {"pid": None, "path": None, "file": None}


def _folder() -> Path:
    return Path(settings.SEARCH_LOG_SPOOL_DIR)


def _own_path() -> Path:
    return _folder() / f"{socket.gethostname()}-{os.getpid()}.jsonl"


def append(record: dict) -> None:
    """Spool one record (a search: "kind": "search"; an open: "kind": "open")."""
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"
    with _lock:
        path = _own_path()
        try:
            _write(path, line)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            _write(path, line)
        _state["pending"] = True


def _write(path: Path, line: str) -> None:
    # Reopened in a forked worker (it must never write through its parent's file) and when the spool moved
    # (a drain deletes or rewrites it; another folder in tests).
    if _open["pid"] != os.getpid() or _open["path"] != path:
        _close()
        _open.update(pid=os.getpid(), path=path, file=open(path, "a", encoding="utf-8"))  # noqa: SIM115
    _open["file"].write(line)
    # Handed to the OS at once: a record written survives the process.
    _open["file"].flush()


def _close() -> None:
    if _open["file"] is not None and _open["pid"] == os.getpid():
        _open["file"].close()
    _open.update(pid=None, path=None, file=None)


def drain_at_exit() -> None:
    if _state["pending"]:
        drain_if_due(force=True)


def drain_if_due(force: bool = False, **_signal) -> None:
    """After each response: move this process's spool into the database when it is due."""
    due = force or time.monotonic() - _state["drained"] >= settings.SEARCH_LOG_FLUSH_SECONDS
    if _state["pending"] and due:
        try:
            drain()
        except Exception:  # the visitor already has their answer; the records stay spooled for next time
            logger.exception("Search log drain failed; the records stay in the spool")


def drain() -> int:
    """Move this process's spool into the database, with the spools of this machine's processes that are
    gone. Returns how many records were stored."""
    with _lock:
        _close()  # the spool is about to be deleted or rewritten: the next record opens it anew
        paths = [_own_path(), *_claimable()]
        stored = sum(_drain_file(path) for path in paths)
        _state["pending"] = any(path.exists() for path in paths)
        _state["drained"] = time.monotonic()
        return stored


def _owner(path: Path) -> tuple[str, int | None]:
    """The host and process a spool belongs to: its name starts with "<host>-<pid>"."""
    host, _dash, pid = path.name.split(".", 1)[0].rpartition("-")
    return host, int(pid) if pid.isdigit() else None


def _claimable() -> list[Path]:
    """Spools this process should drain besides its own: those it claimed earlier and those of this
    machine's processes that no longer run. Another's are renamed to this process's first, so no other
    drain takes them at the same time (a rename succeeds for one process only)."""
    folder, host, me = _folder(), socket.gethostname(), os.getpid()
    paths = []
    for path in sorted(folder.iterdir()) if folder.exists() else []:
        owner_host, pid = _owner(path)
        if path == _own_path() or owner_host != host or (pid != me and pid is not None and _running(pid)):
            continue
        if pid != me:
            target = folder / f"{host}-{me}.{uuid.uuid4().hex[:8]}.spool"
            try:
                path.rename(target)
            except FileNotFoundError:
                continue
            path = target
        paths.append(path)
    return paths


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _batches(lines, name: str) -> Iterator[list[dict]]:
    batch = []
    for line in lines:
        try:
            batch.append(json.loads(line))
        except ValueError:
            logger.warning("Skipping a torn search log line in %s", name)
            continue
        if len(batch) == DRAIN_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _drain_file(path: Path) -> int:
    """Store a spool a batch at a time: a few seconds of a busy worker's searches are thousands of records,
    and parsing and inserting them at once raised its resident memory for good by 6.6 MB (bench/pages.py).
    A batch is its own transaction; a drain cut short keeps the file, and the records' keys make storing
    them again harmless."""
    stored, waiting = 0, []
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        return 0
    with handle:
        for batch in _batches(handle, path.name):
            held = _store(batch)
            stored += len(batch) - len(held)
            waiting += held
    if waiting:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in waiting), encoding="utf-8")
    else:
        path.unlink(missing_ok=True)
    return stored


@transaction.atomic
def _store(records: list[dict]) -> list[dict]:
    """Insert the searches and apply the opens; returns the opens whose search is not stored yet."""
    searches = [r for r in records if r["kind"] == "search"]
    SearchLog.objects.bulk_create(
        [
            SearchLog(
                key=r["key"],
                created_at=datetime.fromisoformat(r["at"]),
                query=r["query"],
                normalized=r["normalized"],
                language=r["language"],
                source=r["source"],
                result_count=len(r["results"]),
                results=r["results"],
            )
            for r in searches
        ],
        ignore_conflicts=True,
    )
    waiting = []
    for record in (r for r in records if r["kind"] == "open"):
        at = datetime.fromisoformat(record["at"])
        log = SearchLog.objects.filter(key=record["key"])
        if log.filter(opened_position__isnull=True).update(opened_position=record["position"], opened_at=at):
            continue
        if not log.exists() and timezone.now() - at < OPEN_PATIENCE:
            waiting.append(record)
    return waiting
