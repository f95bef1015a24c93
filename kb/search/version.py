"""One value that changes whenever the same query may get a different answer: a write to the index or an
edit to the synonyms. A caller that keeps answers (kb's search cache) puts it in its keys. It lives in the
Django cache (Redis in production), so every process and machine sees a change on its next search."""

import uuid

from django.core.cache import cache
from django.db import transaction

from kb.search.synonyms import VERSION_KEY as SYNONYMS_KEY

INDEX_KEY = "kb:search:index:version"


def index_changed() -> None:
    """Answers kept before this index write are not used again."""

    def bump():
        cache.set(INDEX_KEY, uuid.uuid4().hex[:12], timeout=None)

    # Now, and again after commit: an answer computed by another process in between read the old index.
    bump()
    transaction.on_commit(bump)


def current(*also: str) -> tuple[str, dict]:
    """The version, and whatever of the cache keys `also` the cache holds: one round trip for both, so a
    kept answer costs a single read (its entry records the version it was computed at)."""
    found = cache.get_many([INDEX_KEY, SYNONYMS_KEY, *also])
    for key in (INDEX_KEY, SYNONYMS_KEY):
        if key not in found:
            # A cold or cleared cache: agree on one value (add keeps the first writer's).
            cache.add(key, uuid.uuid4().hex[:12], timeout=None)
            found[key] = cache.get(key, "")
    return f"{found[INDEX_KEY]}.{found[SYNONYMS_KEY]}", {key: found[key] for key in also if key in found}
