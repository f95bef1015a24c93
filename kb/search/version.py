"""One value that changes whenever the same query may get a different answer: a write to the index or an
edit to the synonyms. A caller that keeps answers (kb's search cache) records it with each one. It lives
in the Django cache (Redis in production), so every process and machine sees a change on its next search."""

from kb.search.synonyms import VERSION_KEY as SYNONYMS_KEY
from portal import generations

INDEX_KEY = "kb:search:index:version"


def index_changed() -> None:
    """Answers kept before this index write are not used again."""
    generations.bump(INDEX_KEY)


def current(*also: str) -> tuple[str, dict]:
    """The version, and whatever of the cache keys `also` the cache holds: one round trip for both, so a
    kept answer costs a single read (its entry records the version it was computed at)."""
    return generations.read([INDEX_KEY, SYNONYMS_KEY], *also)
