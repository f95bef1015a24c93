"""The cache backends, each a small fix over Django's own.

- Redis: Django's client makes a new `redis.Redis(connection_pool=pool)` on every get and set, copying
  redis-py's table of ~170 response callbacks each time (a sixth of a page served from the page cache);
  a client over a pool is safe to share between threads, so one per pool is kept. Its `incr` asks whether
  the key exists, then increments: two round trips on every rate-limited request; one script does both.
  `count` (a rate limit's "start the window or count in it") is one script too, where `add` then `incr`
  took two round trips on every search.
- Folder (no Redis): Django's `incr` writes the value back with the default timeout, which stretched a
  rate limit's window to five minutes after its last hit (an hour's limit then forgot in five minutes),
  and two processes counting at once could lose a hit. Here it keeps the entry's expiry and counts in
  place under a lock on the entry's file, which every process of the machine respects. Entries are not
  zlib-compressed: the largest, cached pages, are gzip already (portal/gzipparts.py), and inflating each
  of a page's three entries on every hit cost more than reading them whole. Their files have their own
  suffix, so files of Django's format are never read as ours.
"""

import pickle
import time
from contextlib import contextmanager

from django.core.cache.backends import filebased, redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.files import locks

# Increment only a key that exists, keeping its time to live (INCRBY alone would create it without one).
_INCR_EXISTING = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('incrby', KEYS[1], ARGV[1]) end"
# Count one; the first count starts the window (a key that expired starts a new one).
_COUNT = "local n = redis.call('incr', KEYS[1]) if n == 1 then redis.call('expire', KEYS[1], ARGV[1]) end return n"
# Set forever and announce in one step, so announcements arrive in the order of the writes (portal/mirror.py).
_SET_ANNOUNCE = "redis.call('set', KEYS[1], ARGV[1]) return redis.call('publish', ARGV[2], ARGV[3])"


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}
        self._scripts: dict[str, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client

    def _run(self, script: str, key: str, *args):
        client = self.get_client(key, write=True)
        if script not in self._scripts:
            self._scripts[script] = client.register_script(script)
        return self._scripts[script](keys=[key], args=list(args), client=client)

    def incr(self, key, delta):
        value = self._run(_INCR_EXISTING, key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def count(self, key, timeout: int) -> int:
        return self._run(_COUNT, key, timeout)

    def set_and_announce(self, key, value, channel: str, message: str) -> None:
        self._run(_SET_ANNOUNCE, key, self._serializer.dumps(value), channel, message)


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count(self, key, *, timeout: int, version=None) -> int:
        """Count one event under key; the first count starts a window of `timeout` seconds. Returns the
        count in the window, this one included."""
        return self._cache.count(self.make_and_validate_key(key, version=version), timeout)

    def set_and_announce(self, key: str, value: str, *, channel: str) -> None:
        """Set `key` to `value` with no expiry and publish "value:key" on `channel`, in one step."""
        self._cache.set_and_announce(self.make_and_validate_key(key), value, channel, f"{value}:{key}")

    def clear(self):
        from portal import mirror

        mirror.forget()
        return super().clear()


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

    def count(self, key, *, timeout: int, version=None) -> int:
        """As RedisCache.count."""
        if self.add(key, 1, timeout=timeout, version=version):
            return 1
        try:
            return self.incr(key, version=version)
        except ValueError:  # the window ended between add and incr
            self.set(key, 1, timeout=timeout, version=version)
            return 1

    def incr(self, key, delta=1, version=None):
        with self._rewriting(self._key_to_file(key, version)) as (entry, write):
            if entry is None:
                raise ValueError(f"Key '{key}' not found.")
            expiry, value = entry
            write(expiry, value + delta)
            return value + delta
