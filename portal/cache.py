"""The cache backends, each a small fix over Django's own.

- Redis: Django's client makes a new `redis.Redis(connection_pool=pool)` on every get and set, copying
  redis-py's table of ~170 response callbacks each time (a sixth of a page served from the page cache);
  a client over a pool is safe to share between threads, so one per pool is kept. Its `incr` asks whether
  the key exists, then increments: two round trips on every rate-limited request; one script does both.
- Folder (no Redis): Django's `incr` writes the value back with the default timeout, which stretched a
  rate limit's window to five minutes after its last hit (an hour's limit then forgot in five minutes),
  and two processes counting at once could lose a hit. Here it keeps the entry's expiry and counts under
  a lock shared by the machine's processes. Entries are not zlib-compressed: the largest, cached pages,
  are gzip already (portal/gzipparts.py), and inflating each of a page's three entries on every hit cost
  more than reading them whole. Their files have their own suffix, so files of Django's format are never
  read as ours.
"""

import os
import pickle
import tempfile
import time
from contextlib import contextmanager

from django.core.cache.backends import filebased, redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.files import locks

# Increment only a key that exists, keeping its time to live (INCRBY alone would create it without one).
_INCR_EXISTING = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('incrby', KEYS[1], ARGV[1]) end"


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}
        self._incr_script = None

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        if self._incr_script is None:
            self._incr_script = client.register_script(_INCR_EXISTING)
        value = self._incr_script(keys=[key], args=[delta], client=client)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


class FileBasedCache(filebased.FileBasedCache):
    cache_suffix = ".cache"

    def _read(self, fname: str):
        """(expiry, value) of a live entry, or None. The folder is ours alone, as for Django's own reads."""
        try:
            with open(fname, "rb") as file:
                expiry = pickle.load(file)  # noqa: S301 -- written by this backend only
                if expiry is not None and expiry < time.time():
                    return None
                return expiry, pickle.load(file)  # noqa: S301
        except (FileNotFoundError, EOFError):
            return None

    def get(self, key, default=None, version=None):
        entry = self._read(self._key_to_file(key, version))
        return default if entry is None else entry[1]

    def _write_content(self, file, timeout, value):
        self._dump(file, self.get_backend_timeout(timeout), value)

    def _dump(self, file, expiry, value) -> None:
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(pickle.dumps(value, self.pickle_protocol))

    @contextmanager
    def _locked(self):
        """Held by one process of the machine at a time: a read and its write-back are never interleaved."""
        self._createdir()
        with open(os.path.join(self._dir, ".incr.lock"), "a+b") as lock:
            locks.lock(lock, locks.LOCK_EX)
            try:
                yield
            finally:
                locks.unlock(lock)

    def _replace(self, fname: str, expiry, value) -> None:
        # A new file renamed over the old one: readers see the old entry or the new, never half.
        descriptor, temporary = tempfile.mkstemp(dir=self._dir)
        with open(descriptor, "wb") as file:
            self._dump(file, expiry, value)
        os.replace(temporary, fname)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        fname = self._key_to_file(key, version)
        with self._locked():
            entry = self._read(fname)
            if entry is None:
                return False
            self._replace(fname, self.get_backend_timeout(timeout), entry[1])
            return True

    def incr(self, key, delta=1, version=None):
        fname = self._key_to_file(key, version)
        with self._locked():
            entry = self._read(fname)
            if entry is None:
                raise ValueError(f"Key '{key}' not found.")
            expiry, value = entry
            self._replace(fname, expiry, value + delta)
            return value + delta
