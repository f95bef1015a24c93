"""Fixed-window counters in the shared cache, for anything that must not be repeated without bound.

The counters live in the shared cache, through Django's cache API: Redis (REDIS_URL) for every machine, else
the cache folder that one machine's processes share. A window starts at its key's first count: a key holding
when it ends (added with the window's life, so the first writer's wins), and the count under a name made of
that end, moved on atomically by `incr` (Redis's INCRBY; the folder cache's under a lock). A backend that
stretches a count's life as it counts (Django's `incr` on the folder does) cannot stretch the window.

While Redis cannot be reached each limit does what it says (`when_down`): OPEN
lets everything through (reading pages and searching, which a flood cannot turn into writes or mail), LOCAL
counts in this process alone (anything that writes or sends: tickets, replies, sign-ups, votes, tracking
links), so a flood is still slowed, by at most the number of web processes times the limit.
"""

import ipaddress
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from portal.cache import guarded, strict

OPEN = "open"
LOCAL = "local"
# Counters this process keeps while Redis is down: enough for every client of a busy hour, bounded so a
# flood of new addresses cannot grow the process without end.
LOCAL_KEYS = 10_000

_lock = threading.Lock()
_local: dict[str, tuple[float, int]] = {}  # counter key -> (when its window ends, count)


def _count_here(cache_key: str, seconds: int) -> tuple[float, int]:
    now = time.time()
    with _lock:
        ends, used = _local.get(cache_key, (0.0, 0))
        if ends <= now:
            ends, used = now + seconds, 0
        _local[cache_key] = (ends, used + 1)
        if len(_local) > LOCAL_KEYS:
            for stale in [name for name, (until, _count) in _local.items() if until <= now]:
                del _local[stale]
            while len(_local) > LOCAL_KEYS:  # all live: the oldest counters go first
                del _local[next(iter(_local))]
        return ends, used + 1


def _seen_here(cache_key: str) -> tuple[float, int]:
    ends, used = _local.get(cache_key, (0.0, 0))
    return (ends, used) if ends > time.time() else (0.0, 0)


def client_ip(request) -> str | None:
    """The client's address, trusting exactly TRUSTED_PROXY_COUNT proxies in front of the portal.

    Each trusted proxy appends the address it was reached from to X-Forwarded-For, so the client is the
    entry that many places from the right; anything further left was written by the client and can be
    forged. With no trusted proxy, or fewer entries than proxies (a request that bypassed them), it is
    the connection's own address. None when there is no usable address (a request built in code, as
    for client.force_login): axes, which calls this too, stores it in an IP field that PostgreSQL checks.
    """
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [entry.strip() for entry in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [entry for entry in forwarded if entry]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_address(request) -> str:
    """The client's address as a counter key: every per-address limit, and sign-in lockouts, use it."""
    return client_ip(request) or "unknown"


@dataclass(frozen=True)
class Limit:
    """At most `count` events per `seconds` for one key (a client address, an account, …); `when_down` is
    what it does while Redis cannot be reached (OPEN or LOCAL, see above)."""

    name: str
    count: int
    seconds: int
    when_down: str = LOCAL

    def _key(self, key: str) -> str:
        return f"ratelimit:{self.name}:{key}"

    def hit(self, key: str) -> bool:
        """Count one event; True while the key is still within the limit (this event included)."""
        return self.count_event(key) <= self.count

    def count_event(self, key: str) -> int:
        """Count one event; returns how many the key has had in this window, this one included (0 when
        nothing could be counted and the limit is OPEN)."""
        cache_key = self._key(key)
        return guarded(lambda: self._count_shared(cache_key), fallback=lambda: self._count_down(cache_key))

    def _count_shared(self, cache_key: str) -> int:
        store = strict()
        ends = store.get(cache_key)
        if ends is None:
            store.add(cache_key, time.time() + self.seconds, timeout=self.seconds)
            ends = store.get(cache_key, time.time() + self.seconds)
        counter = f"{cache_key}:{ends}"
        try:
            return store.incr(counter)
        except ValueError:  # the window's first count, here or in another process at the same moment
            if store.add(counter, 1, timeout=self.seconds + 1):
                return 1
            return store.incr(counter)

    def _count_down(self, cache_key: str) -> int:
        return _count_here(cache_key, self.seconds)[1] if self.when_down == LOCAL else 0

    def _state(self, key: str) -> tuple[float, int]:
        """(when the window ends or 0, events counted in it), without counting."""
        cache_key = self._key(key)

        def shared():
            store = strict()
            ends = store.get(cache_key)
            return (0.0, 0) if ends is None else (ends, store.get(f"{cache_key}:{ends}", 0))

        down = (lambda: _seen_here(cache_key)) if self.when_down == LOCAL else (lambda: (0.0, 0))
        return guarded(shared, fallback=down)

    def exceeded(self, key: str) -> bool:
        """Whether the key has used up the limit, without counting anything."""
        return self._state(key)[1] >= self.count

    def retry_after(self, key: str) -> int:
        """Seconds until the key may be counted again; 0 while it is within the limit."""
        ends, used = self._state(key)
        if used < self.count:
            return 0
        return max(1, int((ends or time.time() + self.seconds) - time.time()))


def wait(counted: list[tuple[Limit, str]]) -> int:
    """Seconds before every (limit, key) is within its limit again; 0 when they are. Counts nothing."""
    return max((limit.retry_after(key) for limit, key in counted), default=0)


def attempt(counted: list[tuple[Limit, str]]) -> int:
    """Count one event against every (limit, key); seconds to wait when it is over any of them (0: go
    ahead). Counted before compared, so events at the same moment get different counts and at most the
    limit goes through."""
    return wait([(limit, key) for limit, key in counted if not limit.hit(key)])
