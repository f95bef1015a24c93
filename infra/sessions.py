"""Django's cached_db sessions, their copies in Redis named by the generations' epoch.

A sign-out (or any change to a session) made while Redis is unreachable reaches only the database: Redis,
frozen or cut off rather than emptied, still holds the old copy and would sign the old cookie in again once
it answers. Every process that saw Redis fail moves the epoch on before it trusts Redis again
(infra/generations.py), so copies kept before an outage are never read: the session comes from the
database, as it was left. Costs one small read of the epoch per session access.
"""

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from infra import generations


class SessionStore(CachedDBStore):
    @property
    def cache_key(self) -> str:
        return f"{super().cache_key}:{generations.epoch() or 'unreachable'}"
