"""Generations: values in the shared cache that change whenever what depends on them must be read anew.

Whatever is kept on their account (a rendered page, a search answer, a user's permissions) records the
generations it was made at and is never used once they have moved on. `read` fetches the generations and
the kept entries in one round trip to the cache, so a kept entry costs a single read.
"""

import uuid

from django.core.cache import cache
from django.db import transaction

from portal import mirror


def bump(key: str) -> None:
    """Move the generation on: at once in this process, and for every process again after commit."""

    def new():
        value = uuid.uuid4().hex[:12]
        if hasattr(cache, "set_and_announce"):
            # Announced by every writer, whether or not it mirrors: processes that do rely on hearing it.
            cache.set_and_announce(key, value, channel=mirror.channel())
            mirror.changed(key, value)
        else:
            cache.set(key, value, timeout=None)

    # Now, so this process never uses an old entry again, and after commit, because an entry made by
    # another process in between read the data before the change.
    new()
    transaction.on_commit(new)


def read(generation_keys: list[str], *keys: str) -> tuple[str, dict]:
    """The current generations, joined into one string, and whatever of `keys` the cache holds."""
    found = cache.get_many([*generation_keys, *keys])
    for key in generation_keys:
        if key not in found:
            # A cold or cleared cache: agree on one generation (add keeps the first writer's).
            cache.add(key, uuid.uuid4().hex[:12], timeout=None)
            found[key] = cache.get(key, "")
    mirror.note({key: found[key] for key in generation_keys})
    return ".".join(str(found[key]) for key in generation_keys), {key: found[key] for key in keys if key in found}
