"""Who else has a ticket open: each agent's page reports itself every few seconds; entries expire quickly.

One cache entry per ticket maps agent id → (name, state, when). Two agents reporting at the same instant may
overwrite each other once; the next report (a few seconds later) puts the missing one back, which is enough
for a warning that is only a courtesy.
"""

import time

from django.core.cache import cache

TTL = 30  # seconds an agent stays "present" without a new report
STATES = ("viewing", "typing")


def _key(ticket_pk: int) -> str:
    return f"agents:presence:{ticket_pk}"


def presence_report(*, ticket_pk: int, user, state: str) -> list[dict]:
    """Record that `user` is viewing or typing on the ticket; return the other agents present."""
    state = state if state in STATES else "viewing"
    now = time.time()
    present = {
        agent_id: entry for agent_id, entry in (cache.get(_key(ticket_pk)) or {}).items() if now - entry[2] < TTL
    }
    present[user.pk] = (user.get_full_name() or user.get_username(), state, now)
    cache.set(_key(ticket_pk), present, TTL)
    return others(present, user.pk)


def presence_of(*, ticket_pk: int, user) -> list[dict]:
    now = time.time()
    present = {a: e for a, e in (cache.get(_key(ticket_pk)) or {}).items() if now - e[2] < TTL}
    return others(present, user.pk)


def others(present: dict, user_pk: int) -> list[dict]:
    return [
        {"name": name, "state": state}
        for agent_id, (name, state, _when) in sorted(present.items())
        if agent_id != user_pk
    ]
