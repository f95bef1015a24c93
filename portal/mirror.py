"""This process's copy of the generations (portal/generations.py), kept current by Redis pub/sub.

A page served from the page cache cost one round trip to Redis, only to learn that nothing had changed:
on this machine's loopback 0.17–0.24 ms, half of what is left of a hit. Here each process keeps the
generations it has read and the page entries it has served, and hears every change: a generation moves
on in Redis by a script that sets it and publishes the new value in one step (portal/cache.py,
`set_and_announce`), so the messages arrive in the order of the changes, and every process holds a
subscription it polls, without blocking, before each use. A page whose generations are known is then
served with no round trip at all.

Why it stays exact:
- Values are trusted only while the subscription holds. It is made, and confirmed by Redis, before
  anything is noted, and everything known is dropped whenever it breaks, so no change can slip by.
- A value read from Redis is noted right after the read, with no poll in between: a change that Redis
  made after the read is announced after it, and the next poll applies it.
- A change is in every subscriber's socket before the request that made it has answered, so the next
  request anywhere polls it first.
- `cache.clear()` forgets everything here too: tests start afresh, and so does an operator who clears.

Without Redis (the folder cache of the embedded default) nothing is mirrored and every read goes to the
cache, as before.
"""

import contextlib
import functools
import logging
import os
import socket
import threading
import time
from collections import OrderedDict

from django.conf import settings

logger = logging.getLogger(__name__)

CHANNEL = "portal:generations"
# Kept page entries (about 5 KB each, compressed): the pages merchants open most stay in every process.
KEPT_ENTRIES = 64
RETRY_SECONDS = 5.0

_lock = threading.Lock()
_state: dict = {
    "pid": None, "pubsub": None, "confirmed": False, "retry_at": 0.0, "values": {}, "kept": OrderedDict()
}  # fmt: skip


@functools.cache
def _channel_for(url: str) -> str:
    import redis

    return f"{CHANNEL}:{redis.Redis.from_url(url).connection_pool.connection_kwargs.get('db', 0)}"


def channel() -> str:
    """CHANNEL with the number of the Redis database in use. Pub/sub is one namespace for the whole server,
    whichever database a client selected: another site (or test worker) on another database of the same
    Redis must never be heard, or its generations would be taken for ours and an old page served."""
    return _channel_for(settings.REDIS_URL)


def client_name() -> str:
    """The subscription's name in Redis's CLIENT LIST: which machine and process holds it."""
    return f"portal-mirror-{socket.gethostname()}-{os.getpid()}"


def enabled() -> bool:
    from django.core.cache import cache

    return settings.GENERATION_MIRROR and bool(settings.REDIS_URL) and hasattr(cache, "set_and_announce")


def _reset() -> None:
    pubsub = _state["pubsub"]
    if pubsub is not None and _state["pid"] == os.getpid():
        # Closing a connection that may be broken already: nothing to keep from it.
        with contextlib.suppress(Exception):
            pubsub.close()
    _state.update(pid=os.getpid(), pubsub=None, confirmed=False, values={}, kept=OrderedDict())


def _subscribe():
    import redis

    class Subscription(redis.client.PubSub):
        def on_connect(self, connection):
            # redis-py reconnects and subscribes again by itself, in the middle of any call: whatever was
            # announced meanwhile went unheard, so nothing known is kept, and nothing is trusted until
            # Redis confirms the new subscription (its confirmation comes before any later announcement).
            _state.update(confirmed=False, values={})
            super().on_connect(connection)

    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2, client_name=client_name()
    )
    pubsub = Subscription(client.connection_pool)
    # Held for the subscription's life: a client that is collected closes its pool, and with it this
    # connection, which redis-py would then quietly make again.
    pubsub.client = client
    pubsub.subscribe(channel())
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.5)
        if message is not None and message["type"] == "subscribe":
            return pubsub
    pubsub.close()
    raise redis.ConnectionError("no confirmation of the subscription")


def _poll() -> bool:
    """Apply every change announced so far; False when nothing here can be trusted."""
    if _state["pid"] != os.getpid():
        _reset()  # a forked child never reads through its parent's connection
    if _state["pubsub"] is None:
        if time.monotonic() < _state["retry_at"]:
            return False
        try:
            _state.update(pubsub=_subscribe(), confirmed=True, values={})
        except Exception:
            logger.warning("No subscription to %s: every cached page reads Redis", channel(), exc_info=True)
            _state["retry_at"] = time.monotonic() + RETRY_SECONDS
            return False
    try:
        while (message := _state["pubsub"].get_message(timeout=0.0)) is not None:
            if message["type"] == "subscribe":
                _state["confirmed"] = True
            elif message["type"] == "message" and _state["confirmed"]:
                value, _colon, key = message["data"].decode().partition(":")
                _state["values"][key] = value
    except Exception:
        logger.warning("The subscription to %s broke: nothing mirrored is trusted", channel(), exc_info=True)
        _reset()
        _state["retry_at"] = time.monotonic() + RETRY_SECONDS
        return False
    return _state["confirmed"]


def current(keys: list[str]) -> dict | None:
    """The generations of `keys` as this process knows them now, or None if one is unknown (or nothing can
    be trusted): then the caller reads the cache, and `note`s what it read."""
    if not enabled():
        return None
    with _lock:
        if not _poll():
            return None
        values = _state["values"]
        return {key: values[key] for key in keys} if all(key in values for key in keys) else None


def note(values: dict) -> None:
    """Generations just read from the cache. Only after `current` subscribed: else a change could be
    missed between the read and the subscription."""
    with _lock:
        if _state["confirmed"] and _state["pid"] == os.getpid():
            _state["values"].update({key: str(value) for key, value in values.items()})


def changed(key: str, value: str) -> None:
    """A generation this process moved on: known here at once, before its own announcement comes back."""
    with _lock:
        if _state["confirmed"] and _state["pid"] == os.getpid():
            _state["values"][key] = value


def kept(key: str):
    with _lock:
        if _state["pid"] != os.getpid():
            return None
        entry = _state["kept"].get(key)
        if entry is not None:
            _state["kept"].move_to_end(key)
        return entry


def keep(key: str, entry) -> None:
    if not enabled():
        return
    with _lock:
        if _state["pid"] != os.getpid():
            _reset()
        _state["kept"][key] = entry
        _state["kept"].move_to_end(key)
        while len(_state["kept"]) > KEPT_ENTRIES:
            _state["kept"].popitem(last=False)


def forget() -> None:
    with _lock:
        _state["values"] = {}
        _state["kept"] = OrderedDict()
