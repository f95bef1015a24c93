"""Fixed-window limits on Django's cache API, for anything that must not be repeated without bound.

A window starts at its key's first count: `ratelimit:<name>:<key>` holds when it ends (added with the
window's life, so the first writer's wins), and the count lives under a name made of that end, moved on by
`incr` (Redis's INCRBY; the folder cache's under a lock, infra/cache.py). Counted before compared, so
events at the same moment get different counts and at most the limit goes through.

While Redis cannot be reached a limit does what `when_down` says: OPEN lets everything through (reading
pages and searching, which a flood cannot turn into writes or mail); LOCAL counts the same way in this
process's memory (Django's LocMemCache, whose add and incr hold a lock), for anything that writes or sends,
so a flood is still slowed, by at most the number of web processes times the limit.
"""

import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest

from infra.cache import guarded, strict

OPEN = "open"
LOCAL = "local"
# Bounded, so a flood of new addresses cannot grow the process without end (LocMemCache culls beyond it).
_here = LocMemCache("ratelimit-while-redis-is-down", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


def client_ip(request: HttpRequest) -> str | None:
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


def client_address(request: HttpRequest) -> str:
    """The client's address as a counter key: every per-address limit, and sign-in lockouts, use it."""
    return client_ip(request) or "unknown"


@dataclass(frozen=True)
class Limit:
    """At most `count` events per `seconds` for one key (a client address, an account, …)."""

    name: str
    count: int
    seconds: int
    when_down: str = LOCAL

    def _on[T](self, action: Callable[..., T], default: T) -> T:
        """`action(store)` on the shared cache, or while Redis cannot be reached as `when_down` says."""
        down = (lambda: action(_here)) if self.when_down == LOCAL else (lambda: default)
        return guarded(lambda: action(strict()), fallback=down)

    def count_event(self, key: str) -> int:
        """Count one event; how many the key has had in this window, this one included (0 when nothing
        could be counted and the limit is OPEN)."""
        window = f"ratelimit:{self.name}:{key}"

        def count(store) -> int:
            ends = store.get(window)
            if ends is None:
                store.add(window, time.time() + self.seconds, timeout=self.seconds)
                ends = store.get(window, time.time() + self.seconds)
            try:
                return store.incr(f"{window}:{ends}")
            except ValueError:  # the window's first count, here or in another process at the same moment
                store.add(f"{window}:{ends}", 0, timeout=self.seconds + 1)
                return store.incr(f"{window}:{ends}")

        return self._on(count, 0)

    def _state(self, key: str) -> tuple[float, int]:
        """(when the window ends or 0, events counted in it), without counting."""
        window = f"ratelimit:{self.name}:{key}"

        def read(store) -> tuple[float, int]:
            ends = store.get(window)
            return (0.0, 0) if ends is None else (ends, store.get(f"{window}:{ends}", 0))

        return self._on(read, (0.0, 0))

    def hit(self, key: str) -> bool:
        """Count one event; True while the key is still within the limit (this event included)."""
        return self.count_event(key) <= self.count

    def exceeded(self, key: str) -> bool:
        """Whether the key has used up the limit, without counting anything."""
        return self._state(key)[1] >= self.count

    def retry_after(self, key: str) -> int:
        """Seconds until the key may be counted again; 0 while it is within the limit."""
        ends, used = self._state(key)
        return 0 if used < self.count else max(1, int((ends or time.time() + self.seconds) - time.time()))


def wait(counted: list[tuple[Limit, str]]) -> int:
    """Seconds before every (limit, key) is within its limit again; 0 when they are. Counts nothing."""
    return max((limit.retry_after(key) for limit, key in counted), default=0)


def attempt(counted: list[tuple[Limit, str]]) -> int:
    """Count one event against every (limit, key); seconds to wait when it is over any of them (0: go ahead)."""
    return wait([(limit, key) for limit, key in counted if not limit.hit(key)])
