"""Each process's copy of the generations, kept current by Redis pub/sub: no round trip, never stale."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client

from portal import mirror, pagecache

# On Redis (without it nothing is mirrored), on either database.
pytestmark = [pytest.mark.redis, pytest.mark.usefixtures("loaded_kb")]

ROOT = Path(__file__).resolve().parents[2]
HUB = "/articles/re-sign-in-prompt/"


@pytest.fixture
def reads(monkeypatch):
    """Every get_many this process sends to Redis, by its keys."""
    backend = cache._cache
    sent = []
    real = backend.get_many

    def counted(keys):
        sent.append(list(keys))
        return real(keys)

    monkeypatch.setattr(backend, "get_many", counted)
    return sent


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"  # the test database is a file (tests/conftest.py)
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _bump_in_another_process() -> None:
    """An edit's generation bump, as another web process makes it (its after-commit bump needs a database:
    this run's test database), on this worker's Redis database."""
    env = os.environ | {"DATABASE_URL": _database_url(), "REDIS_URL": settings.REDIS_URL}
    code = "import django\ndjango.setup()\nfrom portal import pagecache\npagecache.content_changed()\n"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def _cut_this_process_s_subscription() -> None:
    """As a network blip would, for this process alone: other workers' subscriptions on the same Redis
    server (pub/sub ignores databases) are left alone."""
    client = cache._cache.get_client(write=True)
    [subscription] = [c for c in client.client_list(_type="pubsub") if c["name"] == mirror.client_name()]
    client.client_kill_filter(_id=subscription["id"])


def test_a_page_this_process_has_served_costs_no_round_trip(reads):
    assert Client().get(HUB).status_code == 200
    reads.clear()

    response = Client().get(HUB)

    assert response.status_code == 200 and "请重新签到" in response.content.decode()
    assert reads == []


def test_without_the_mirror_every_hit_reads_redis(reads, settings):
    settings.GENERATION_MIRROR = False
    Client().get(HUB)
    reads.clear()

    Client().get(HUB)

    assert len(reads) == 1


def test_a_change_made_by_another_process_is_known_on_the_next_request(reads, django_assert_max_num_queries):
    Client().get(HUB)
    before = mirror.current([pagecache.GENERATION_KEY])

    _bump_in_another_process()

    after = mirror.current([pagecache.GENERATION_KEY])
    assert after != before and after == {pagecache.GENERATION_KEY: cache.get(pagecache.GENERATION_KEY)}
    with django_assert_max_num_queries(50) as queries:
        assert Client().get(HUB).status_code == 200
    assert len(queries) > 0  # rendered anew: the kept page was made at the old generation


def test_a_broken_subscription_drops_what_it_knew_and_is_made_again(monkeypatch):
    monkeypatch.setattr(mirror, "RETRY_SECONDS", 0.0)
    Client().get(HUB)
    assert mirror.current([pagecache.GENERATION_KEY]) is not None

    _cut_this_process_s_subscription()

    # Nothing known survives the break; once subscribed again, values come from a read of the cache.
    assert mirror.current([pagecache.GENERATION_KEY]) is None
    assert mirror.current([pagecache.GENERATION_KEY]) is None
    assert Client().get(HUB).status_code == 200
    assert mirror.current([pagecache.GENERATION_KEY]) == {pagecache.GENERATION_KEY: cache.get(pagecache.GENERATION_KEY)}


def test_a_change_while_the_subscription_was_broken_is_never_missed(monkeypatch):
    monkeypatch.setattr(mirror, "RETRY_SECONDS", 0.0)
    Client().get(HUB)
    _cut_this_process_s_subscription()

    _bump_in_another_process()  # announced to nobody here

    assert mirror.current([pagecache.GENERATION_KEY]) is None
    Client().get(HUB)
    assert mirror.current([pagecache.GENERATION_KEY]) == {pagecache.GENERATION_KEY: cache.get(pagecache.GENERATION_KEY)}


def test_clearing_the_cache_forgets_the_kept_pages(reads):
    Client().get(HUB)
    cache.clear()
    reads.clear()

    Client().get(HUB)

    assert len(reads) >= 1


def test_only_the_last_pages_are_kept(monkeypatch):
    monkeypatch.setattr(mirror, "KEPT_ENTRIES", 2)
    for n in range(4):
        mirror.keep(f"page-{n}", {"n": n})

    assert [mirror.kept(f"page-{n}") for n in range(4)] == [None, None, {"n": 2}, {"n": 3}]


def test_a_connection_redis_py_makes_again_by_itself_trusts_nothing_it_knew():
    Client().get(HUB)
    assert mirror.current([pagecache.GENERATION_KEY]) is not None

    # As after a network blip: redis-py reconnects and subscribes again inside the next poll.
    mirror._state["pubsub"].connection.disconnect()

    assert mirror.current([pagecache.GENERATION_KEY]) is None
    Client().get(HUB)
    assert mirror.current([pagecache.GENERATION_KEY]) == {pagecache.GENERATION_KEY: cache.get(pagecache.GENERATION_KEY)}


def test_sites_on_two_databases_of_one_redis_server_never_hear_each_other(settings):
    # Pub/sub ignores the database a client selected: the channel carries its number.
    settings.REDIS_URL = "redis://127.0.0.1:6379/3"
    on_three = mirror.channel()
    settings.REDIS_URL = "redis://127.0.0.1:6379/4"

    assert mirror.channel() != on_three
    assert mirror.channel().startswith(mirror.CHANNEL)
