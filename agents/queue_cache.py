"""Short-lived shared caches for the queue, which every agent keeps open all day and which polls itself.

Two things cost the queue time that grows with the work, not with what changed: counting every ticket that
matches the filters (a COUNT over up to every ticket, on each request) and rendering the rows. Both are kept
in the shared cache (Redis in production) under keys that move whenever what they show can have changed:

- The count is keyed by the filters and by the newest `updated_at` of any ticket. Every service write moves
  a ticket's `updated_at`, and a new ticket has the newest, so the next request after any change counts
  again; reading that newest time is an index-only lookup, far cheaper than the count. Views that depend on
  the clock ("about to breach", "recently updated") also change with the queue's 5-minute clock bucket,
  and nothing is kept longer than that bucket (a ticket deleted in the admin moves no `updated_at`).
- The rows are keyed by the fragment's version (its ETag: the count, the page's ids and `updated_at`s, the
  agent, the language, the page and the clock bucket) plus the exact query string and the agents' names
  (shown in the rows). A rendered page is reused only when all of that is unchanged: the same HTML the
  template would render again, except that a due time passing within the 5-minute bucket turns "overdue" at
  the next bucket, as the polled fragment always has.
"""

import hashlib
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from agents.forms import View
from agents.selectors import VERSION_PERIOD
from infra import generations
from tickets.models import Ticket

PREFIX = "agents:queue"
# Filters that change the order or the slice of the list, never which tickets it holds.
NOT_COUNTED = ("sort", "size")


def _digest(*parts) -> str:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:32]


def _bucket(now: datetime) -> int:
    return int(now.timestamp()) // int(VERSION_PERIOD.total_seconds())


def stamp() -> str:
    """The newest `updated_at` of any ticket: moves with every service write (a merchant's reply included)."""
    newest = Ticket.objects.aggregate(newest=Max("updated_at"))["newest"]
    return newest.isoformat() if newest else "-"


def seen_generation_key(user_pk: int) -> str:
    """Moved on (agents.services.ticket_seen_record) each time this agent opens a ticket."""
    return f"{PREFIX}:seen:{user_pk}"


def unread_counts(*, user, now: datetime, stamp: str, compute) -> dict[str, int]:
    """Each view's unread count for this agent: `compute()`, kept until a ticket changes, the agent opens a
    ticket, or the clock bucket moves. Redis down: computed every time, nothing kept."""
    key = f"{PREFIX}:unread:{_digest(user.pk, stamp, _bucket(now))}"
    generation, found = generations.read([seen_generation_key(user.pk)], key)
    if generation is None:
        return compute()
    kept = found.get(key)
    if kept is not None and kept[0] == generation:
        return kept[1]
    counts = compute()
    cache.set(key, (generation, counts), int(VERSION_PERIOD.total_seconds()))
    return counts


def ticket_count(
    tickets: QuerySet, *, data: dict, user, now: datetime, newest: str | None = None, first: Q | None = None
) -> tuple[int, int]:
    """How many tickets the (validated) filters select, and how many of them `first` holds (the agent's
    teams', which the queue shows first): one query, cached until any ticket changes."""
    filters = sorted((name, str(value)) for name, value in data.items() if value and name not in NOT_COUNTED)
    # "Mine" is the one view whose tickets depend on who asks; every other count is shared by all agents in
    # the same teams.
    owner = user.pk if data.get("view") == View.MINE else ""
    key = f"{PREFIX}:count:{_digest(filters, owner, first, newest or stamp(), _bucket(now))}"
    counts = cache.get(key)
    if counts is None:
        if first is None:
            counts = (tickets.count(), 0)
        else:
            found = tickets.aggregate(all=Count("pk"), first=Count("pk", filter=first))
            counts = (found["all"], found["first"])
        cache.set(key, counts, int(VERSION_PERIOD.total_seconds()))
    return counts


def _names(agents: list) -> list:
    return [(agent.pk, agent.get_full_name(), agent.get_username()) for agent in agents]


def rows_html(*, version: str, query: str, agents: list, render) -> str:
    """The rendered rows for this version of the fragment; `render()` makes them when they are not kept."""
    return _kept("rows", (version, query, _names(agents), timezone.get_current_timezone_name()), render)


def controls_html(name: str, *, query: str, agents: list, render, teams: list = ()) -> str:
    """The filter and bulk-action controls: the same for every agent with the same query string, language
    and team (they hold no per-agent value and no CSRF token), and far dearer to render than to fetch."""
    return _kept(name, (query, get_language(), _names(agents), [(team.pk, team.name) for team in teams]), render)


def _kept(name: str, parts: tuple, render) -> str:
    key = f"{PREFIX}:{name}:{_digest(*parts)}"
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, str(html), int(VERSION_PERIOD.total_seconds()))
    return mark_safe(html)  # noqa: S308 -- the template's own output, escaped when it was rendered
