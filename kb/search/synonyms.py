"""The synonym groups each process keeps in memory, reloaded when an edit bumps the shared version.

The version lives in the Django cache (Redis in production), so a change made in the admin reaches every
web process on its next search, without a deploy or a reindex (synonyms apply to queries only).
"""

import threading
import uuid

from django.core.cache import cache

from kb.search.models import Synonym
from kb.search.synonym_groups import Synonyms

VERSION_KEY = "kb:search:synonyms:version"

_lock = threading.Lock()
_loaded: dict = {"version": None, "value": Synonyms([])}


def synonyms_changed() -> None:
    """Every process reloads its synonyms on its next search."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def current_synonyms() -> Synonyms:
    """The active synonym groups, reloaded from the database when an edit bumped the version."""
    version = cache.get(VERSION_KEY)
    if version is None:
        # A cold or cleared cache: publish a version so every process reloads once, then agrees.
        synonyms_changed()
        version = cache.get(VERSION_KEY)
    if version != _loaded["version"]:
        with _lock:
            if version != _loaded["version"]:
                groups = [(s.key, s.term_list) for s in Synonym.objects.filter(is_active=True)]
                _loaded["value"] = Synonyms.from_groups(groups)
                _loaded["version"] = version
    return _loaded["value"]
