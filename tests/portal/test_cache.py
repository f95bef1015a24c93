"""The folder cache counts without stretching a window or losing a hit; limits count in windows on Redis
and on the folder alike (Redis's own faults: tests/portal/test_redis_outage.py)."""

import multiprocessing
import pickle
import time

import pytest
import time_machine

from portal.cache import FileBasedCache
from portal.ratelimit import Limit


@pytest.mark.redis
def test_a_limit_on_redis_starts_its_window_on_the_first_count_and_keeps_it(redis_server):
    limit = Limit("window", 3, 2)
    client = redis_server.client()

    assert [limit.count_event("shop") for _ in range(4)] == [1, 2, 3, 4]
    (key,) = [name for name in client.keys("*ratelimit:window:shop") if not name.endswith(b":ends")]
    assert 0 < client.pttl(key) <= 2000  # the first count's window: later counts never moved it
    assert limit.exceeded("shop") and 1 <= limit.retry_after("shop") <= 2
    # The window ends now rather than in two seconds (Redis keeps its own clock: time-machine cannot move it).
    for name in client.keys("*ratelimit:window:shop*"):
        client.pexpire(name, 1)
    _until_gone(client, key)
    assert limit.count_event("shop") == 1 and not limit.exceeded("shop")


def _until_gone(client, key, *, within: float = 2.0) -> None:
    deadline = time.monotonic() + within
    while client.exists(key):
        assert time.monotonic() < deadline, f"{key} outlived its time to live"


@pytest.fixture
def clock():
    """The folder cache's clock (time.time), held still and moved on by the test: nothing is slept, and a
    slow machine cannot end a window early."""
    with time_machine.travel(time.time(), tick=False) as traveller:
        yield traveller


def test_a_limit_on_the_folder_cache_counts_in_windows_too(clock):
    limit = Limit("window", 3, 1)
    assert [limit.count_event("shop") for _ in range(3)] == [1, 2, 3]
    clock.shift(1.1)
    assert limit.count_event("shop") == 1


@pytest.fixture
def folder(tmp_path):
    return FileBasedCache(str(tmp_path / "cache"), {})


def test_the_folder_cache_counts_without_moving_the_window(folder):
    folder.set("hits", 1, timeout=60)
    expiry_before = folder._read(folder._key_to_file("hits"))[0]

    assert folder.incr("hits") == 2
    assert folder.incr("hits", 3) == 5
    expiry, value = folder._read(folder._key_to_file("hits"))
    assert (expiry, value) == (expiry_before, 5)
    assert expiry <= time.time() + 60


def test_the_folder_cache_does_not_count_a_missing_or_expired_key(folder, clock):
    folder.set("gone", 1, timeout=1)
    with pytest.raises(ValueError):
        folder.incr("never-set")
    clock.shift(1.1)
    with pytest.raises(ValueError):
        folder.incr("gone")


def _count(location: str, times: int) -> None:
    backend = FileBasedCache(location, {})
    for _ in range(times):
        backend.incr("hits")


def test_two_processes_counting_at_once_lose_no_hit(tmp_path):
    location = str(tmp_path / "cache")
    FileBasedCache(location, {}).set("hits", 0, timeout=60)
    workers = [multiprocessing.get_context("spawn").Process(target=_count, args=(location, 150)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    assert FileBasedCache(location, {}).get("hits") == 300


def test_the_folder_cache_keeps_values_whole_and_touch_moves_only_the_expiry(folder, clock):
    page = {"body": bytes(range(256)) * 100, "versions": "a.b"}
    folder.set("page", page, timeout=1)
    assert folder.get("page") == page and folder.get_many(["page", "none"]) == {"page": page}
    assert folder.touch("page", timeout=60) and not folder.touch("none", timeout=60)
    clock.shift(1.1)
    assert folder.get("page") == page  # touch gave it a minute more
    folder.set("gone", 1, timeout=1)
    clock.shift(1.1)
    assert folder.get("gone", "default") == "default" and not folder.has_key("gone")


class _SlowWriter(FileBasedCache):
    """Empties the file, then writes the entry in two halves, a moment apart: a reader that did not wait
    would find nothing or half an entry."""

    def _dump(self, file, expiry, value):
        data = pickle.dumps(expiry, self.pickle_protocol) + pickle.dumps(value, self.pickle_protocol)
        start = file.tell()
        file.truncate(start)
        file.flush()
        time.sleep(0.01)
        file.write(data[: len(data) // 2])
        file.flush()
        time.sleep(0.02)
        file.write(data[len(data) // 2 :])
        file.truncate()


def _count_slowly(location: str, times: int) -> None:
    backend = _SlowWriter(location, {})
    for _ in range(times):
        backend.incr("hits")


def test_a_reader_never_sees_a_count_half_written_in_place(tmp_path):
    location = str(tmp_path / "cache")
    reader = FileBasedCache(location, {})
    reader.set("hits", 0, timeout=60)
    worker = multiprocessing.get_context("spawn").Process(target=_count_slowly, args=(location, 40))
    worker.start()
    seen = []
    while worker.is_alive() or not seen:
        seen.append(reader.get("hits", "missing"))
    worker.join(60)

    assert all(isinstance(count, int) for count in seen), {count for count in seen if not isinstance(count, int)}
    assert seen == sorted(seen) and reader.get("hits") == 40
