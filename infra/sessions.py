"""Django's cached_db sessions, their copies in Redis named by the generations' epoch.

A sign-out (or any change to a session) made while Redis is unreachable reaches only the database: Redis,
frozen or cut off rather than emptied, still holds the old copy and would sign the old cookie in again once
it answers. Every process that saw Redis fail moves the epoch on before it trusts Redis again
(infra/generations.py), so copies kept before an outage are never read: the session comes from the
database, as it was left. Costs one small read of the epoch per session access.

With the database down, Django's database store reports a failed write as UpdateError, and the session
middleware answers that with "400 Bad Request" in place of the page the view rendered (the "not saved, try
again" page a merchant must see). A write that fails because the database cannot be reached is therefore
dropped and logged; one that fails while it answers (the session was deleted: signed out elsewhere) still
ends the request as Django means it to.
"""

import logging

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.db import DatabaseError, connections, router

from infra import generations

logger = logging.getLogger(__name__)


class SessionStore(CachedDBStore):
    @property
    def cache_key(self) -> str:
        return f"{super().cache_key}:{generations.epoch() or 'unreachable'}"

    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create)
        except UpdateError:
            if database_reachable(router.db_for_write(self.model)):
                raise
            logger.warning("session not saved: the database is unreachable")


def database_reachable(alias: str) -> bool:
    connection = connections[alias]
    try:
        connection.ensure_connection()
        return connection.is_usable()
    except DatabaseError:
        return False
