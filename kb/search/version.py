"""One value that changes whenever the same query may get a different answer: a write to the index or an
edit to the synonyms. A caller that keeps answers (kb's search cache) records it with each one. It lives
in the Django cache (Redis in production), so every process and machine sees a change on its next search.

The library keeps it through a generation store it is handed (`use_generations`, called by kb's app config
with `infra.generations`): search imports nothing from the site, and the site's store joins the epoch that
keeps answers from before a Redis outage from being trusted again, which a store of search's own would not.
"""

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from kb.search.synonyms import VERSION_KEY as SYNONYMS_KEY

INDEX_KEY = "kb:search:index:version"


class Generations(Protocol):
    """Values in the shared cache that move on whenever what depends on them must be read anew."""

    def bump(self, key: str) -> None: ...

    def read(self, generation_keys: list[str], *keys: str) -> tuple[str, dict]: ...


_store: list[Generations] = []


def use_generations(store: Generations) -> None:
    """Keep the version in this generation store from now on (once, at start-up)."""
    _store[:] = [store]


def _generations() -> Generations:
    if not _store:
        raise ImproperlyConfigured("kb.search needs a generation store: call kb.search.use_generations() first.")
    return _store[0]


def index_changed() -> None:
    """Answers kept before this index write are not used again."""
    _generations().bump(INDEX_KEY)


def current(*also: str) -> tuple[str, dict]:
    """The version, and whatever of the cache keys `also` the cache holds: one round trip for both, so a
    kept answer costs a single read (its entry records the version it was computed at)."""
    return _generations().read([INDEX_KEY, SYNONYMS_KEY], *also)
