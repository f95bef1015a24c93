"""The search log is spooled and stored after responses: no write on a search's critical path, no record lost."""

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb import search
from kb.search import spool
from kb.search.models import SearchLog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_kb")]

API = "/api/search"


@pytest.fixture
def batched(settings):
    """Production's setting: the spool is stored at most every minute here, i.e. not during the test."""
    settings.SEARCH_LOG_FLUSH_SECONDS = 60
    spool._state["drained"] = float("inf")  # as if this process had just drained
    yield settings
    spool._state["drained"] = 0.0


def _spool_files(settings) -> list[Path]:
    folder = Path(settings.SEARCH_LOG_SPOOL_DIR)
    return sorted(folder.iterdir()) if folder.exists() else []


def _dead_pid() -> int:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(finished.stdout)


def _search_record(key: str, query: str = "签到") -> dict:
    return {
        "kind": "search", "key": key, "at": "2026-12-01T10:00:00+00:00", "query": query, "normalized": query,
        "language": "zh-hans", "source": "api", "results": ["/codes/A0/"],
    }  # fmt: skip


def test_a_search_writes_nothing_to_the_database_while_the_merchant_waits(client, batched):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(API, {"q": "请重新签到"})

    assert response.status_code == 200 and response.json()["results"]
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert writes == []
    assert not SearchLog.objects.exists()
    assert len(_spool_files(batched)) == 1


def test_every_spooled_search_and_open_is_stored_by_the_next_drain(client, batched):
    links = [client.get(API, {"q": q}).json()["results"][0]["open_url"] for q in ("A0", "请重新签到", "签到失败")]
    client.get(links[0])

    assert search.flush_log() == 4

    assert SearchLog.objects.count() == 3
    assert list(SearchLog.objects.exclude(opened_position=None).values_list("query", flat=True)) == ["A0"]
    assert _spool_files(batched) == []


def test_the_spool_is_stored_after_the_response_once_it_is_due(client, batched):
    client.get(API, {"q": "A0"})
    assert not SearchLog.objects.exists()

    spool._state["drained"] = 0.0  # the interval has passed
    client.get(API, {"q": "A1"})

    assert sorted(SearchLog.objects.values_list("query", flat=True)) == ["A0", "A1"]


def test_searches_after_a_drain_go_to_a_new_spool_and_are_stored_by_the_next(client, batched):
    # The process keeps its spool open between records; the drain deletes the file it had open.
    for queries, stored in ((["A0", "A1"], 2), (["A2"], 3), (["A3", "A4"], 5)):
        for query in queries:
            client.get(API, {"q": query})
        search.flush_log()
        assert SearchLog.objects.count() == stored and _spool_files(batched) == []


def test_a_drain_repeated_after_a_crash_stores_nothing_twice(batched):
    spool.append(_search_record("key-1"))
    own = _spool_files(batched)[0]
    kept = own.read_bytes()
    search.flush_log()
    own.write_bytes(kept)  # the crash came after the insert, before the spool was removed

    search.flush_log()

    assert SearchLog.objects.filter(key="key-1").count() == 1


def test_the_spool_of_a_process_that_is_gone_is_claimed_and_stored(batched):
    folder = Path(batched.SEARCH_LOG_SPOOL_DIR)
    folder.mkdir(parents=True)
    orphan = folder / f"{socket.gethostname()}-{_dead_pid()}.jsonl"
    orphan.write_text(spool.json.dumps(_search_record("orphan-1")) + "\n", encoding="utf-8")

    assert search.flush_log() == 1

    assert SearchLog.objects.filter(key="orphan-1").exists()
    assert _spool_files(batched) == []


def test_the_spool_of_a_running_process_is_left_to_it(batched):
    folder = Path(batched.SEARCH_LOG_SPOOL_DIR)
    folder.mkdir(parents=True)
    running = folder / f"{socket.gethostname()}-{os.getppid()}.jsonl"
    running.write_text(spool.json.dumps(_search_record("theirs")) + "\n", encoding="utf-8")

    search.flush_log()

    assert not SearchLog.objects.filter(key="theirs").exists()
    assert running.exists()


def test_an_open_whose_search_is_still_spooled_elsewhere_waits_for_it(batched):
    spool.append({"kind": "open", "key": "later", "position": 1, "at": spool.timezone.now().isoformat()})
    assert search.flush_log() == 0
    assert len(_spool_files(batched)) == 1  # the open is kept

    spool.append(_search_record("later"))
    search.flush_log()

    assert SearchLog.objects.get(key="later").opened_position == 1
    assert _spool_files(batched) == []


def test_a_line_torn_by_a_crash_is_skipped_and_the_rest_stored(batched):
    spool.append(_search_record("whole"))
    own = _spool_files(batched)[0]
    with open(own, "a", encoding="utf-8") as file:
        file.write('{"kind": "search", "key": "tor')

    assert search.flush_log() == 1
    assert list(SearchLog.objects.values_list("key", flat=True)) == ["whole"]


def test_a_card_number_never_reaches_the_spool(client, batched):
    client.get(API, {"q": "卡号 6222021234567890128 签到失败"})

    text = "".join(path.read_text(encoding="utf-8") for path in _spool_files(batched))
    assert "6222021234567890128" not in text and "签到失败" in text


@pytest.fixture(autouse=True)
def _no_shared_spool(settings):
    yield
    shutil.rmtree(settings.SEARCH_LOG_SPOOL_DIR, ignore_errors=True)


def _inserts(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]


def test_a_long_spool_is_stored_in_bounded_batches_with_every_record_and_open(batched):
    total = spool.DRAIN_BATCH * 2 + 7
    for n in range(total):
        spool.append(_search_record(f"many-{n}"))
    at = spool.timezone.now().isoformat()
    spool.append({"kind": "open", "key": "many-0", "position": 2, "at": at})
    spool.append({"kind": "open", "key": f"many-{total - 1}", "position": 1, "at": at})

    with CaptureQueriesContext(connection) as queries:
        assert search.flush_log() == total + 2

    assert SearchLog.objects.count() == total
    assert SearchLog.objects.get(key="many-0").opened_position == 2
    assert SearchLog.objects.get(key=f"many-{total - 1}").opened_position == 1
    assert len([sql for sql in _inserts(queries) if "kb_searchlog" in sql]) == 3
    assert _spool_files(batched) == []


def test_a_drain_that_fails_midway_keeps_the_spool_and_the_next_one_stores_the_rest_once(batched, monkeypatch):
    total = spool.DRAIN_BATCH + 5
    for n in range(total):
        spool.append(_search_record(f"cut-{n}"))
    store, calls = spool._store, []

    def fail_second(records):
        calls.append(len(records))
        if len(calls) == 2:
            raise spool.transaction.TransactionManagementError("the database went away")
        return store(records)

    monkeypatch.setattr(spool, "_store", fail_second)
    with pytest.raises(spool.transaction.TransactionManagementError):
        search.flush_log()
    assert SearchLog.objects.count() == spool.DRAIN_BATCH and len(_spool_files(batched)) == 1

    monkeypatch.setattr(spool, "_store", store)
    search.flush_log()

    assert SearchLog.objects.count() == total
    assert sorted(SearchLog.objects.values_list("key", flat=True)) == sorted(f"cut-{n}" for n in range(total))
    assert _spool_files(batched) == []
