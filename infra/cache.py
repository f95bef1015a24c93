"""The shared cache's boundary for code that must know when Redis failed, and the folder cache without Redis.

Django's cache API (django-redis with IGNORE_EXCEPTIONS) answers a miss when Redis is down, which is right
for most callers. The generations (an invalidation that never reached Redis must not leave old pages
trusted) and the rate limits (a counter that silently reads 0 lets everything through) call it through
`guarded` instead. After a failed call a process leaves Redis alone for RETRY_SECONDS (`ConnectionPool`),
so a frozen Redis costs one timeout, not one per call. The folder cache's `add` and `incr` run under a
lock every process of the machine respects, so counting is atomic there too. docs/operations.md says what
a user sees while Redis is down.
"""

import logging
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

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
# failed calls there have been (infra/generations.py moves its epoch on when this has changed).
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


class _FailFast(connection.AbstractConnection):
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
    return int(_state["failures"])


def forget_outage() -> None:
    """For tests that start a new Redis: waiting out the last one's outage is over."""
    _state.update(retry_at=0.0, down=False)


class FileBasedCache(filebased.FileBasedCache):
    COUNTER_SECONDS = 86_400

    def __init__(self, location, params):
        super().__init__(location, params)
        self.lock_file = Path(location) / "counters.lock"

    @contextmanager
    def _locked(self):
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_file, "ab") as file:
            locks.lock(file, locks.LOCK_EX)  # released when the file closes
            yield

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._locked():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        with self._locked():
            value = self.get(key, version=version)
            if value is None:
                raise ValueError(f"Key '{key}' not found.")
            self.set(key, value + delta, timeout=self.COUNTER_SECONDS, version=version)
            return value + delta
