"""Fixed-window counters in the shared cache, for anything that must not be repeated without bound.

The counters live in the shared cache: Redis (REDIS_URL) for every machine, else the cache folder that one
machine's processes share.
"""

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


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
    """At most `count` events per `seconds` for one key (a client address, an account, …)."""

    name: str
    count: int
    seconds: int

    def _key(self, key: str) -> str:
        return f"ratelimit:{self.name}:{key}"

    def hit(self, key: str) -> bool:
        """Count one event; True while the key is still within the limit (this event included)."""
        return self.count_event(key) <= self.count

    def count_event(self, key: str) -> int:
        """Count one event; returns how many the key has had in this window, this one included."""
        cache_key = self._key(key)
        used = cache.count(cache_key, timeout=self.seconds)
        if used == 1:
            # When this window ends, so a refusal can say when to try again.
            cache.set(cache_key + ":ends", time.time() + self.seconds, timeout=self.seconds)
        return used

    def exceeded(self, key: str) -> bool:
        """Whether the key has used up the limit, without counting anything."""
        return cache.get(self._key(key), 0) >= self.count

    def retry_after(self, key: str) -> int:
        """Seconds until the key may be counted again; 0 while it is within the limit."""
        if not self.exceeded(key):
            return 0
        ends = cache.get(self._key(key) + ":ends") or time.time() + self.seconds
        return max(1, int(ends - time.time()))
