"""The search backend for the database in use: SQLite FTS5 or PostgreSQL full text."""

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from kb.search.backends.base import Backend


def get_backend() -> Backend:
    if connection.vendor == "sqlite":
        from kb.search.backends.sqlite import SqliteBackend

        return SqliteBackend()
    if connection.vendor == "postgresql":
        from kb.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    raise ImproperlyConfigured(f"Search supports SQLite and PostgreSQL, not {connection.vendor}.")
