"""Generations: values in the shared cache that change whenever what depends on them must be read anew.

Whatever is kept on their account (a page, a search answer, a user's permissions) records the generations
it was made at and is never used once they moved on; `read` fetches both in one round trip. While Redis
cannot be reached `read` answers no version (use nothing kept, keep nothing), and every version also holds
an epoch that a process which saw a call fail moves on before it trusts Redis again: an edit whose
invalidation never reached Redis can then not revive a page kept before it (docs/caches.md).
"""

import threading
import uuid

from django.db import transaction

from infra.cache import failures, guarded, strict

EPOCH_KEY = "generations:epoch"

_lock = threading.Lock()
# The count of failed calls (infra/cache.py, `failures`) at which this process last moved the epoch on.
_settled = {"failures": 0}


def _new_value() -> str:
    return uuid.uuid4().hex[:12]


def bump(key: str) -> None:
    """Move the generation on: at once in this process, and for every process again after commit. When
    Redis cannot be reached the failure is counted, and the epoch moves on once it answers (`read`)."""

    def new():
        guarded(lambda: strict().set(key, _new_value(), timeout=None), fallback=lambda: None)

    # Now, so this process never uses an old entry again, and after commit, because an entry made by
    # another process in between read the data before the change.
    new()
    transaction.on_commit(new)


def _settle(store) -> None:
    """After an outage this process saw: move the epoch on, so nothing kept before it is trusted."""
    seen = failures()
    if seen != _settled["failures"]:
        store.set(EPOCH_KEY, _new_value(), timeout=None)
        with _lock:
            _settled["failures"] = max(_settled["failures"], seen)


def _read(generation_keys: list[str], keys: tuple[str, ...]) -> tuple[str, dict]:
    store = strict()
    _settle(store)
    names = [EPOCH_KEY, *generation_keys]
    found = store.get_many([*names, *keys])
    for name in names:
        if name not in found:
            # A cold or cleared cache: agree on one generation (add keeps the first writer's).
            store.add(name, _new_value(), timeout=None)
            found[name] = store.get(name, "")
    return ".".join(str(found[name]) for name in names), {key: found[key] for key in keys if key in found}


def read(generation_keys: list[str], *keys: str) -> tuple[str | None, dict]:
    """The current generations, joined into one string, and whatever of `keys` the cache holds; (None, {})
    while Redis cannot be reached: then use nothing kept, and keep nothing."""
    return guarded(lambda: _read(generation_keys, keys), fallback=lambda: (None, {}))


def epoch() -> str | None:
    """The epoch alone (moved on first if this process saw Redis fail since it last looked); None while
    Redis cannot be reached. Sessions kept in Redis are named by it (infra/sessions.py)."""
    return read([])[0]
