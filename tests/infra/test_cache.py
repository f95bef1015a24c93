"""The folder cache counts without stretching a window or losing a hit; limits count in windows on Redis
and on the folder alike (Redis's own faults: tests/portal/test_redis_outage.py)."""

import multiprocessing
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine

from infra.cache import FileBasedCache
from infra.ratelimit import Limit


@pytest.mark.redis
def test_a_limit_on_redis_starts_its_window_on_the_first_count_and_keeps_it(redis_server):
    limit = Limit("window", 3, 2)
    client = redis_server.client()

    assert [limit.count_event("shop") for _ in range(4)] == [1, 2, 3, 4]
    (key,) = client.keys("*ratelimit:window:shop")
    assert 0 < client.pttl(key) <= 2000  # the first count's window: later counts never moved it
    assert limit.exceeded("shop") and 1 <= limit.retry_after("shop") <= 2
    # The window ends now rather than in two seconds (Redis keeps its own clock: time-machine cannot move it).
    client.pexpire(key, 1)
    _until_gone(client, key)
    assert limit.count_event("shop") == 1 and not limit.exceeded("shop")


@pytest.mark.redis
def test_while_redis_is_down_a_limit_counts_every_event_once_in_the_process(redis_server):
    redis_server.kill()
    limit = Limit("down-threads", 1000, 60)  # LOCAL: Django's LocMemCache, its add and incr under a lock

    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(lambda _: limit.count_event("shop"), range(200)))

    assert sorted(counts) == list(range(1, 201))  # no two threads got the same count, none was lost
    assert limit.retry_after("shop") == 0 and Limit("down-threads", 200, 60).retry_after("shop") > 0


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


@pytest.fixture
def on_the_folder_cache(settings, tmp_path):
    """The default cache is the folder cache, as without REDIS_URL (CI's PostgreSQL leg sets one)."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "infra.cache.FileBasedCache", "LOCATION": str(tmp_path / "limits")},
    }


def test_a_limit_on_the_folder_cache_counts_in_windows_too(clock, on_the_folder_cache):
    limit = Limit("window", 3, 1)
    assert [limit.count_event("shop") for _ in range(3)] == [1, 2, 3]
    clock.shift(1.1)
    assert limit.count_event("shop") == 1


@pytest.fixture
def folder(tmp_path):
    return FileBasedCache(str(tmp_path / "cache"), {})


def test_a_limit_on_the_folder_cache_keeps_its_whole_window_however_long(clock, on_the_folder_cache):
    # Django's folder `incr` gives a count the default five minutes again: an hour's window must not end then.
    limit = Limit("hourly", 3, 3600)
    assert [limit.count_event("shop") for _ in range(3)] == [1, 2, 3]
    clock.shift(600)
    assert limit.exceeded("shop") and 2900 <= limit.retry_after("shop") <= 3000
    clock.shift(3001)
    assert limit.count_event("shop") == 1


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
