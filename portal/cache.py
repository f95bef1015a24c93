"""The shared cache as home-made code uses it, and the folder backend used without Redis.

- Redis is django-redis's backend (portal/settings.py), with IGNORE_EXCEPTIONS: a Redis that is down or
  slow makes every cache call a miss after a short timeout, so sessions (read from the database then),
  the agents' queue and the rest carry on by themselves. Two users of the cache must know when a call
  failed, not just see a miss: the page cache's generations (an edit whose invalidation never reached
  Redis must not leave old pages trusted) and the rate limits (a counter that silently reads 0 lets
  everything through). They call the cache through `guarded`, one boundary: it uses django-redis's client,
  which raises what the cache API swallows. It logs once per outage.
- Slow or frozen Redis: each call would wait for its timeout, and an agent's page makes a dozen (11 here,
  2.3 s at 200 ms each). So after any failed call the process leaves Redis alone for RETRY_SECONDS: its
  connections (`ConnectionPool`, django-redis's CONNECTION_POOL_CLASS) refuse to connect at once until
  then, which every cache call (sessions included) takes as a miss, and `guarded` uses its fallback.
- Folder (no Redis): Django's `incr` writes the value back with the default timeout, which stretched a
  rate limit's window to five minutes after its last hit (an hour's limit then forgot in five minutes),
  and two processes counting at once could lose a hit. Here it keeps the entry's expiry and counts in
  place under a lock on the entry's file, which every process of the machine respects. Entries are not
  zlib-compressed: the largest, cached pages, are gzip already (portal/gzipparts.py), and inflating each
  of a page's three entries on every hit cost more than reading them whole. Their files have their own
  suffix, so files of Django's format are never read as ours.
"""

import logging
import pickle
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

from django.core.cache import cache
from django.core.cache.backends import filebased
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.files import locks
from django_redis.exceptions import ConnectionInterrupted
from redis import connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Seconds a process leaves Redis alone after a failed call before it tries again.
RETRY_SECONDS = 2.0
UNAVAILABLE = (ConnectionInterrupted, RedisError)

_lock = threading.Lock()
# Per process: when Redis may be tried again, whether an outage is under way (logged once), and how many
# failed calls there have been (portal/generations.py moves its epoch on when this has changed).
_state = {"retry_at": 0.0, "down": False, "failures": 0}


def strict():
    """The cache's calls, raising when Redis cannot be reached: django-redis's client under its cache API
    (the API ignores those errors); the folder cache itself, which has no such errors to hide."""
    return getattr(cache, "client", cache)


def _failed() -> None:
    with _lock:
        if not _state["down"]:
            logger.warning(
                "Redis is unreachable: pages are rendered from the database and rate limits use their "
                "fallbacks until it answers again",
                exc_info=True,
            )
        _state.update(down=True, retry_at=time.monotonic() + RETRY_SECONDS, failures=_state["failures"] + 1)


def _answered() -> None:
    if _state["down"]:
        with _lock:
            if _state["down"]:
                logger.warning("Redis answers again: pages kept before the outage are not used")
                _state["down"] = False


def guarded[T](operation: Callable[[], T], fallback: Callable[[], T]) -> T:
    """`operation()` against the shared cache, or `fallback()` when Redis is unreachable or was a moment
    ago (then without waiting for it again)."""
    if time.monotonic() < _state["retry_at"]:
        return fallback()
    try:
        result = operation()
    except UNAVAILABLE:
        _failed()
        return fallback()
    _answered()
    return result


class _FailFast:
    """Mixed into redis-py's connection class (plain, TLS or socket file alike): connecting fails at once
    while Redis failed a moment ago, and every failure starts that wait."""

    def connect(self):
        if time.monotonic() < _state["retry_at"]:
            raise RedisConnectionError(f"Redis failed less than {RETRY_SECONDS} s ago: not tried again yet")
        try:
            super().connect()
        except RedisError:
            _failed()
            raise
        _answered()

    def read_response(self, *args, **kwargs):
        try:
            return super().read_response(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError):
            _failed()
            raise


class ConnectionPool(connection.ConnectionPool):
    def __init__(self, connection_class=connection.Connection, **kwargs):
        fail_fast = type(f"FailFast{connection_class.__name__}", (_FailFast, connection_class), {})
        super().__init__(connection_class=fail_fast, **kwargs)


def failures() -> int:
    """How many calls through `guarded` have failed in this process so far."""
    return _state["failures"]


def forget_outage() -> None:
    """For tests that start a new Redis: waiting out the last one's outage is over."""
    _state.update(retry_at=0.0, down=False)


class FileBasedCache(filebased.FileBasedCache):
    cache_suffix = ".cache"

    def _read(self, fname: str):
        """(expiry, value) of a live entry, or None. The folder is ours alone, as for Django's own reads."""
        try:
            with open(fname, "rb") as file:
                # Shared: never half-way through a count written in place (`incr`).
                locks.lock(file, locks.LOCK_SH)
                return self._load(file)
        except FileNotFoundError:
            return None

    @staticmethod
    def _load(file):
        try:
            expiry = pickle.load(file)  # noqa: S301 -- written by this backend only
            if expiry is not None and expiry < time.time():
                return None
            return expiry, pickle.load(file)  # noqa: S301
        except EOFError:
            return None

    def get(self, key, default=None, version=None):
        entry = self._read(self._key_to_file(key, version))
        return default if entry is None else entry[1]

    def has_key(self, key, version=None):
        return self._read(self._key_to_file(key, version)) is not None

    def _write_content(self, file, timeout, value):
        self._dump(file, self.get_backend_timeout(timeout), value)

    def _dump(self, file, expiry, value) -> None:
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(pickle.dumps(value, self.pickle_protocol))
        file.truncate()

    @contextmanager
    def _rewriting(self, fname: str):
        """The entry's (expiry, value) or None, under an exclusive lock on its file, and a function that
        writes a new (expiry, value) over it in place.

        In place, not to a new file renamed over the old one: a rename cost half a millisecond here, as
        much as the rest of a search, and a search counts its client on every request. Readers take the
        shared lock, so they see the old entry or the new. A `set` meanwhile renames a new file in, which
        then wins, as it would had it come a moment later."""
        try:
            file = open(fname, "r+b")  # noqa: SIM115 -- closed by the with block below
        except FileNotFoundError:
            yield None, None
            return
        with file:
            locks.lock(file, locks.LOCK_EX)

            def write(expiry, value):
                file.seek(0)
                self._dump(file, expiry, value)

            yield self._load(file), write

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        with self._rewriting(self._key_to_file(key, version)) as (entry, write):
            if entry is None:
                return False
            write(self.get_backend_timeout(timeout), entry[1])
            return True

    def incr(self, key, delta=1, version=None):
        with self._rewriting(self._key_to_file(key, version)) as (entry, write):
            if entry is None:
                raise ValueError(f"Key '{key}' not found.")
            expiry, value = entry
            write(expiry, value + delta)
            return value + delta
