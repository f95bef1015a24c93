"""Per-client limits on ticket submissions and replies, counted in the shared cache.

With REDIS_URL set every web process sees the same counters; without it each process counts alone.
"""

import time

from django.conf import settings
from django.core.cache import cache

from portal.ratelimit import client_address


def _keys(request) -> tuple[str, str]:
    client = client_address(request)
    return f"tickets:created:{client}", f"tickets:attempts:{client}"


def rate_limited(request) -> bool:
    """Created tickets count against TICKET_RATE_LIMIT; every POST counts against a looser flood limit."""
    created_key, attempts_key = _keys(request)
    window = settings.TICKET_RATE_WINDOW_SECONDS
    cache.add(attempts_key, 0, timeout=window)
    try:
        attempts = cache.incr(attempts_key)
    except ValueError:  # expired between add and incr
        cache.set(attempts_key, 1, timeout=window)
        attempts = 1
    created = cache.get(created_key, 0)
    return created >= settings.TICKET_RATE_LIMIT or attempts > settings.TICKET_RATE_LIMIT * 4


def count_created(request) -> None:
    created_key, _attempts = _keys(request)
    if cache.add(created_key, 1, timeout=settings.TICKET_RATE_WINDOW_SECONDS):
        return
    try:
        cache.incr(created_key)
    except ValueError:
        cache.set(created_key, 1, timeout=settings.TICKET_RATE_WINDOW_SECONDS)


# --- Counters with a known end, so a refusal can say when to try again -------------------------


def retry_after(key: str, *, limit: int) -> int:
    """Seconds until `key` may be counted again: 0 while it is under `limit`."""
    if cache.get(f"rl:{key}", 0) < limit:
        return 0
    return max(1, int(cache.get(f"rl:{key}:until", time.time() + 60) - time.time()))


def count(key: str, *, window: int) -> None:
    """One more for `key`; the window starts with the first count and does not slide."""
    if cache.add(f"rl:{key}", 1, timeout=window):
        cache.set(f"rl:{key}:until", time.time() + window, timeout=window)
        return
    try:
        cache.incr(f"rl:{key}")
    except ValueError:  # expired between add and incr
        cache.set(f"rl:{key}", 1, timeout=window)
        cache.set(f"rl:{key}:until", time.time() + window, timeout=window)


def hit(key: str, *, limit: int, window: int) -> int:
    """Check, then count one attempt: 0 if it may go ahead, otherwise the seconds to wait."""
    wait = retry_after(key, limit=limit)
    if not wait:
        count(key, window=window)
    return wait
