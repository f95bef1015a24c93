"""Django's Redis cache, without building a new redis-py client object for every cache call.

Django's client makes `redis.Redis(connection_pool=pool)` on each get and set; each one copies redis-py's
table of ~170 response callbacks, which cost a public page served from the page cache about a sixth of its
time. A client over a pool is safe to share between threads, so one per pool is kept.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
