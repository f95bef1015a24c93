"""Bench only: the portal's settings with persistent database connections on SQLite too.

portal/settings.py closes SQLite connections after every request (CONN_MAX_AGE=0); PostgreSQL keeps them
(DATABASE_CONN_MAX_AGE, default 60). bench/search.py measures SQLite over HTTP both ways.
"""

from portal.settings import *  # noqa: F403
from portal.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 60
