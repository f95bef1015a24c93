"""The queue's reads: which tickets a view and its filters select, in which order, and what changed."""

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import overload

from django.core.cache import cache
from django.db import connections
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import OrderBy
from django.utils import timezone

from agents.forms import NO_ASSIGNEE, Sort, View, agents_queryset
from agents.models import AgentPreference, TicketSeen
from infra import generations, permissions
from kb.search import has_cjk, normalize, segment
from tickets.models import ActorKind, Team, Ticket, TicketMessage
from tickets.services.routing import TEAMS_GENERATION

Status = Ticket.Status
ACTIVE = (Status.NEW, Status.OPEN)
# "About to breach": the next due time is within this much of now (or already past).
BREACH_SOON = timedelta(hours=2)
RECENT = timedelta(hours=24)
VERSION_PERIOD = timedelta(minutes=5)
# Columns the list never shows: long texts stay in the database.
DEFERRED = ("search_text", "description", "steps", "tried_fixes", "access_token_hash", "submission_key")


@dataclass(frozen=True)
class TeamEntry:
    pk: int
    name: str
    members: frozenset[int]


def _kept(generation_key: str, key: str, compute):
    """`compute()`, kept in the shared cache until the generation moves on (Redis down: computed each time)."""
    generation, found = generations.read([generation_key], key)
    if generation is None:
        return compute()
    kept = found.get(key)
    if kept is not None and kept[0] == generation:
        return kept[1]
    value = compute()
    cache.set(key, (generation, value), timeout=3600)
    return value


def teams() -> list[TeamEntry]:
    """Every team with its members' ids (the queue's menus, the agent's own teams): kept until one changes."""

    def compute() -> list[TeamEntry]:
        # One query, not a prefetch's two: a row per (team, member), the member None for a team without one.
        members: dict[tuple[int, str], set[int]] = {}
        for pk, name, member in Team.objects.order_by("name", "pk").values_list("pk", "name", "members"):
            members.setdefault((pk, name), set()).update([member] if member is not None else [])
        return [TeamEntry(pk, name, frozenset(ids)) for (pk, name), ids in members.items()]

    return _kept(TEAMS_GENERATION, "agents:teams", compute)


def console_language(*, user) -> str | None:
    """The language the agent chose for the console (AgentPreference), or None when they chose none."""
    return AgentPreference.objects.filter(user=user).values_list("language", flat=True).first()


def assignable_agents() -> list:
    """Everyone a ticket may be assigned to (the queue's filter and bulk menus), kept until rights change."""
    return permissions.shared("assignable-agents", lambda: list(agents_queryset()))


def search_terms(query: str) -> list[str]:
    """The normalized words of a search, each of which must appear in the ticket's search text.

    Chinese runs are cut into their smallest dictionary words ("签到失败" → 签到, 失败), so the words match
    wherever the merchant put them; a run the dictionary cannot cut stays whole.
    """
    terms: list[str] = []
    for chunk in normalize(query).split():
        words = list(dict.fromkeys(segment(chunk))) if has_cjk(chunk) else [chunk]
        # Search mode gives a long word and its parts; the parts alone are the looser, equivalent test.
        smallest = [word for word in words if not any(other != word and other in word for other in words)]
        terms += smallest or [chunk]
    return list(dict.fromkeys(terms))


# What a merchant gives that the normalized search text cuts apart or leaves out: a mobile number however it
# is written (138-0013-8000, +86 138 0013 8000), an email address, a transaction's reference number (RRN).
PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
MOBILE = re.compile(r"^(?:\+?86|0086)?(1\d{10})$")
RRN = re.compile(r"^\d{12}$")


def _contact_match(token: str) -> Q | None:
    """The ticket fields a whole token names exactly (phone, email, RRN), or None for an ordinary word."""
    mobile = MOBILE.match(PHONE_SEPARATORS.sub("", token))
    if mobile:
        return Q(phone=mobile.group(1))
    if "@" in token and " " not in token.strip():
        return Q(email__iexact=token.strip())
    if RRN.match(token):
        return Q(reference_number=token)
    return None


def _text_match(text: str) -> Q:
    """Every normalized word of `text` in the ticket's search text."""
    match = Q()
    for term in search_terms(text):
        match &= Q(search_text__contains=term)
    return match


def _search(queryset: QuerySet, query: str) -> QuerySet:
    """Each word must match; a phone number, email or RRN matches its own field or the words it holds."""
    query = query.strip()
    if not query:
        return queryset
    # A phone number typed with spaces is one thing, not three words.
    whole = _contact_match(query)
    if whole is not None:
        return queryset.filter(whole | _text_match(query))
    for token in query.split():
        exact = _contact_match(token)
        queryset = queryset.filter(_text_match(token) if exact is None else exact | _text_match(token))
    return queryset


def view_condition(view: str, *, user, now: datetime) -> Q:
    """Which tickets a view of the sidebar holds, as a condition (a page's filter and a badge's count alike)."""
    if view == View.UNASSIGNED:
        return Q(assignee__isnull=True, status__in=ACTIVE)
    if view == View.MINE:
        return Q(assignee=user) & ~Q(status=Status.CLOSED)
    if view == View.UNREAD:
        return unread_condition(user)
    if view == View.WAITING:
        return Q(status=Status.WAITING_ON_MERCHANT)
    if view == View.BREACHING:
        # Waiting on the merchant pauses the clock, so only tickets support must act on can breach.
        return Q(status__in=ACTIVE, next_due__lte=now + BREACH_SOON)
    if view == View.RECENT:
        return Q(updated_at__gte=now - RECENT)
    if view == View.TEAMS:
        # EXISTS, not a join through the members: a join would repeat a ticket once per member in the counts.
        member = Team.members.through.objects.filter(team_id=OuterRef("team_id"), user_id=user.pk)
        return Q(Exists(member)) & ~Q(status=Status.CLOSED)
    return Q()


def _public_messages():
    return TicketMessage.objects.filter(ticket=OuterRef("pk"), is_internal=False)


def unread_condition(user) -> Q:
    """Tickets with a merchant message this agent has not seen, among those that are theirs to answer.

    Theirs: assigned to them, or to nobody (then every agent is told until they open it). A closed ticket
    takes no messages, so one closed unread stays out of the counts instead of lighting them for ever.
    """
    seen_since = TicketSeen.objects.filter(agent=user, ticket=OuterRef("ticket"), seen_at__gte=OuterRef("created_at"))
    unseen = _public_messages().filter(author_role=ActorKind.MERCHANT).exclude(Exists(seen_since))
    return (Q(assignee=user) | Q(assignee__isnull=True)) & ~Q(status=Status.CLOSED) & Q(Exists(unseen))


def with_activity(queryset: QuerySet, *, user) -> QuerySet:
    """The rows with `unread` (for this agent) and `last_from` (who wrote the last public message): computed
    by the database in the page's own query, never a query per row."""
    last = _public_messages().order_by("-created_at", "-pk").values("author_role")[:1]
    return queryset.annotate(
        unread=Case(When(unread_condition(user), then=Value(True)), default=Value(False)),
        last_from=Subquery(last),
    )


def unread_counts(*, user, now: datetime) -> dict[str, int]:
    """The unread tickets of each view of the sidebar, in one query: the unread test once per ticket (in the
    WHERE clause), then each view's own cheap condition over what is left."""
    views = [view for view, _label in View.CHOICES if view != View.UNREAD]
    counts = Ticket.objects.filter(unread_condition(user)).aggregate(
        **{view: Count("pk", filter=view_condition(view, user=user, now=now)) for view in views}
    )
    counts[View.UNREAD] = counts[View.ALL]
    return {view: counts[view] or 0 for view, _label in View.CHOICES}


def _filters(queryset: QuerySet, data: dict) -> QuerySet:
    exact = {"status": data.get("status"), "priority": data.get("priority"), "article_slug": data.get("article")}
    queryset = queryset.filter(**{field: value for field, value in exact.items() if value})
    if data.get("code"):
        queryset = queryset.filter(response_code__iexact=data["code"])
    if data.get("acquirer"):
        queryset = queryset.filter(acquirer__icontains=data["acquirer"])
    if data.get("team"):
        queryset = queryset.filter(team_id=int(data["team"]))
    if data.get("terminal"):
        queryset = queryset.filter(Q(merchant_id=data["terminal"]) | Q(terminal_id=data["terminal"]))
    assignee = data.get("assignee")
    if assignee == NO_ASSIGNEE:
        queryset = queryset.filter(assignee__isnull=True)
    elif assignee:
        queryset = queryset.filter(assignee_id=int(assignee))
    zone = timezone.get_current_timezone()
    if data.get("created_from"):
        queryset = queryset.filter(created_at__gte=datetime.combine(data["created_from"], time.min, zone))
    if data.get("created_to"):
        end = datetime.combine(data["created_to"] + timedelta(days=1), time.min, zone)
        queryset = queryset.filter(created_at__lt=end)
    return _search(queryset, data.get("q") or "")


@dataclass(frozen=True)
class QueueOrder:
    """A sort's keys, in an index's column order (tickets/models/ticket.py), and for an agent in teams the
    condition of their teams' tickets, shown first (then the rest, in the same order)."""

    keys: tuple[str | OrderBy, ...]
    first: Q | None = None

    def expressions(self) -> list[str | OrderBy | Case]:
        """The whole order as one ORDER BY: right for reading every row (the export), not a page of them."""
        if self.first is None:
            return list(self.keys)
        return [Case(When(self.first, then=Value(0)), default=Value(1)), *self.keys]


def queue_order(*, user, sort: str) -> QueueOrder:
    due = F("next_due").asc(nulls_last=True)
    keys: tuple[str | OrderBy, ...]
    if sort == Sort.AGE:
        keys = ("created_at", "pk")
    elif sort == Sort.UPDATED:
        keys = ("-updated_at", "-pk")
    elif sort == Sort.PRIORITY:
        keys = ("priority_rank", due, "created_at", "pk")
    else:
        keys = (due, "created_at", "pk")
    first_teams = [team.pk for team in teams() if user.pk in team.members]
    return QueueOrder(keys, Q(team_id__in=first_teams) if first_teams else None)


def queue_tickets(*, user, data: dict, now: datetime | None = None) -> QuerySet:
    """The tickets a queue view with these (validated) filters shows, sorted, with what the rows display."""
    now = now or timezone.now()
    queryset = Ticket.objects.select_related("assignee").defer(*DEFERRED)
    queryset = queryset.filter(view_condition(data.get("view") or View.ALL, user=user, now=now))
    order = queue_order(user=user, sort=data.get("sort") or Sort.DUE)
    return _filters(queryset, data).order_by(*order.expressions())


class QueueRows:
    """The queue's rows as the paginator reads them: told how many there are and how many of them are the
    agent's teams' (counted together, kept in the shared cache), and read a page at a time, each page in the
    order of the sort's index.

    "In my teams?" at the head of ORDER BY is no index's order: the database would read and sort every
    matching row for each page. A page is instead a slice of the teams' tickets, a slice of the rest, or the
    end of the one and the start of the other.
    """

    def __init__(self, rows: QuerySet, *, order: QueueOrder, count: int, first_count: int) -> None:
        self.rows, self.order, self.total, self.first_count = rows, order, count, first_count

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator:
        return iter(self[0 : self.total])

    @overload
    def __getitem__(self, index: int) -> Ticket: ...
    @overload
    def __getitem__(self, index: slice) -> QuerySet: ...
    def __getitem__(self, index: int | slice) -> Ticket | QuerySet:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, self.total if index.stop is None else index.stop
        rows = self.rows.order_by(*self.order.keys)
        if self.order.first is None:
            return rows[start:stop]
        split = self.first_count
        mine, rest = rows.filter(self.order.first), rows.exclude(self.order.first)
        if stop <= split:
            return mine[start:stop]
        if start >= split:
            return rest[start - split : stop - split]
        # The end of the teams' tickets and the start of the rest: each read from the index as a list of ids,
        # then the page's few rows sorted whole.
        ends = mine.values("pk")[start:split], rest.values("pk")[: stop - split]
        if connections[self.rows.db].features.supports_slicing_ordering_in_compound:
            # PostgreSQL: one list of ids, looked up by primary key (an OR of two lists scans the table).
            chosen = Q(pk__in=ends[0].union(ends[1], all=True))
        else:
            # SQLite takes no LIMIT inside a UNION, and looks each list up by rowid ("MULTI-INDEX OR").
            chosen = Q(pk__in=ends[0]) | Q(pk__in=ends[1])
        return self.rows.filter(chosen).order_by(*self.order.expressions())


def queue_version(*, rows, count: int, salt: str, now: datetime) -> str:
    """A fingerprint of what the queue fragment shows: its ETag.

    Every service write moves a ticket's updated_at, and a ticket joining or leaving the filters changes
    the page's ids or the count. Due times turn "overdue" as time passes, so the fingerprint also moves
    every VERSION_PERIOD even when nothing was written.
    """
    bucket = int(now.timestamp()) // int(VERSION_PERIOD.total_seconds())
    # Opening a ticket moves no updated_at but clears its unread marker: the marker is part of the row.
    shown = (f"{row.pk}:{row.updated_at.isoformat()}:{getattr(row, 'unread', '')}" for row in rows)
    raw = "|".join([salt, str(count), str(bucket), *shown])
    return hashlib.sha256(raw.encode()).hexdigest()[:32]
