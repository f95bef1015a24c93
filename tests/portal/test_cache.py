"""The Redis cache backend keeps one redis-py client per connection pool instead of one per cache call."""

from portal.cache import RedisCache


def test_every_cache_call_reuses_the_client_of_its_pool():
    backend = RedisCache("redis://127.0.0.1:6379/15", {})  # no connection is made to build clients

    first = backend._cache.get_client(write=True)

    assert backend._cache.get_client(write=True) is first
    assert backend._cache.get_client(write=False) is first  # one server: reads use the same pool
