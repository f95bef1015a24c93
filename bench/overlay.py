"""Bench only: the portal's own settings (production, from the environment) plus a bare 5 KB view.

DJANGO_SETTINGS_MODULE=bench.overlay serves the portal unchanged — same middleware, apps and database — with
one more URL in front, /__bench__/bare5k/, the ceiling every page of bench/pages.py is divided by.
"""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.overlay_urls"
