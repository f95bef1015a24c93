"""Reads for the dashboard: every figure is an aggregate the database computes, so the page costs the same
number of queries at any volume and never loads the tickets themselves.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from kb.models import Article, ArticleVote, ResponseCode
from kb.search import SearchLog
from tickets.models import Deflection, Ticket, agent_status_label

Status = Ticket.Status
Priority = Ticket.Priority

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 7  # "this week": the top lists and response times
TREND_DAYS = 30  # the new-tickets chart never shows fewer days than this
TOP = 10
OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING_ON_MERCHANT)
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


@dataclass(frozen=True)
class Row:
    label: str
    value: int
    url: str = ""
    extra: str = ""


@dataclass(frozen=True)
class StatusRow:
    status: str
    label: str
    counts: list[int]  # one per priority, in Priority order
    total: int


@dataclass(frozen=True)
class OpenTickets:
    priorities: list[str]  # labels, in Priority order
    rows: list[StatusRow]
    total: int


@dataclass(frozen=True)
class Target:
    """One time target over the period: how long it actually took, and how often the due time was kept."""

    median: timedelta | None  # over the tickets that have the fact (responded / resolved)
    target_median: timedelta | None  # of the time each ticket was given (due - created), where it has a due time
    done: int
    judged: int  # tickets with a due time whose outcome is known: done, or still undone past the due time
    met: int  # done no later than the due time

    @property
    def met_share(self) -> float | None:
        return self.met / self.judged if self.judged else None


@dataclass(frozen=True)
class Breaches:
    first_response: int
    resolution: int
    total: int  # tickets breaching either target (one ticket may breach both)


@dataclass(frozen=True)
class DeflectionRate:
    deflected: int
    tickets: int

    @property
    def rate(self) -> float | None:
        asked = self.deflected + self.tickets
        return self.deflected / asked if asked else None


@dataclass
class Dashboard:
    days: int
    since: datetime
    as_of: datetime  # when these figures were computed: the page says so
    open_tickets: OpenTickets
    per_day: list[tuple[date, int]]
    top_codes: list[Row]
    top_articles: list[Row]
    first_response: Target
    resolution: Target
    breaches: Breaches
    deflection: DeflectionRate
    not_helpful: list[Row] = field(default_factory=list)
    zero_results: list[Row] = field(default_factory=list)

    @property
    def new_in_trend(self) -> int:
        return sum(count for _day, count in self.per_day)


def _live_tickets():
    # A merged duplicate lives on in the ticket it was merged into; counting it too would count twice.
    return Ticket.objects.filter(merged_into__isnull=True)


def open_tickets() -> OpenTickets:
    counts = {
        (row["status"], row["priority"]): row["n"]
        for row in _live_tickets()
        .filter(status__in=OPEN_STATUSES)
        .values("status", "priority")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rows = []
    for status in OPEN_STATUSES:
        per_priority = [counts.get((status.value, priority.value), 0) for priority in Priority]
        rows.append(
            StatusRow(
                status=status.value, label=str(agent_status_label(status)), counts=per_priority, total=sum(per_priority)
            )
        )
    return OpenTickets(
        priorities=[str(priority.label) for priority in Priority], rows=rows, total=sum(r.total for r in rows)
    )


def new_per_day(*, days: int, now: datetime) -> list[tuple[date, int]]:
    """Tickets created on each local calendar day, the last `days` days including today, zeros included."""
    today = timezone.localdate(now)
    first = today - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    counts = {
        row["day"]: row["n"]
        for row in _live_tickets()
        .filter(created_at__gte=start)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range(days)]


def _top_values(*, field: str, since: datetime) -> list[tuple[str, int]]:
    """The most frequent non-blank values of a ticket field in the period, with their counts."""
    rows = (
        _live_tickets()
        .filter(created_at__gte=since)
        .exclude(**{field: ""})
        .values_list(field)
        .annotate(n=Count("pk"))
        .order_by("-n", field)[:TOP]
    )
    return list(rows)


def top_codes(*, since: datetime, language: str) -> list[Row]:
    top = _top_values(field="response_code", since=since)
    known = {c.code: c for c in ResponseCode.objects.filter(code__in=[value for value, _count in top])}
    rows = []
    for value, count in top:
        code = known.get(value)
        label = f"{value} {code.name}" if code else value
        url = code.get_absolute_url(language) if code else ""
        rows.append(Row(label=label, value=count, url=url))
    return rows


def top_articles(*, since: datetime, language: str) -> list[Row]:
    """The articles merchants had read when they filed anyway: the pages that did not answer them."""
    top = _top_values(field="article_slug", since=since)
    articles: dict[str, Article] = {}
    for article in Article.objects.filter(slug__in=[value for value, _count in top]):
        # The reader's language first, any other version if that one does not exist.
        if article.language == language or article.slug not in articles:
            articles[article.slug] = article
    rows = []
    for slug, count in top:
        found = articles.get(slug)
        label = found.title if found else slug
        url = found.get_absolute_url() if found and found.is_public else ""
        rows.append(Row(label=label, value=count, url=url))
    return rows


def _median(tickets, *, start: str, end: str, count: int) -> timedelta | None:
    """The median of `end - start` over the `count` tickets that have `end`, found by the database: a median
    has no portable SQL aggregate, so sort the differences there and fetch only the middle one or two.
    The fetch runs even when there is nothing to find, so the page's query count never depends on the data."""
    spans = (
        tickets.filter(**{f"{end}__isnull": False})
        .annotate(span=ExpressionWrapper(F(end) - F(start), output_field=DurationField()))
        .order_by("span")
        .values_list("span", flat=True)
    )
    middle = list(spans[max(count - 1, 0) // 2 : count // 2 + 1])
    return sum(middle, timedelta()) / len(middle) if middle else None


def _target_counts(*, done: str, due: str, now: datetime, prefix: str) -> dict:
    has_due = Q(**{f"{due}__isnull": False})
    is_done = Q(**{f"{done}__isnull": False})
    return {
        f"{prefix}_done": Count("pk", filter=is_done),
        f"{prefix}_allowed": Count("pk", filter=has_due),
        # Judged: a due time whose outcome is known, because the ticket is done or the due time has passed.
        f"{prefix}_judged": Count("pk", filter=has_due & (is_done | Q(**{f"{due}__lt": now}))),
        f"{prefix}_met": Count("pk", filter=has_due & is_done & Q(**{f"{done}__lte": F(due)})),
    }


def targets(*, since: datetime, now: datetime) -> tuple[Target, Target]:
    """First response and resolution over the tickets created in the period.

    The actual durations are wall-clock; the due times (set by the time-target code) already allow for
    business hours and pauses, which is why "met target" compares against them rather than a fixed length.
    """
    tickets = _live_tickets().filter(created_at__gte=since)
    fields = {"first": ("first_responded_at", "first_response_due"), "resolution": ("resolved_at", "resolution_due")}
    counts = tickets.aggregate(
        **_target_counts(done=fields["first"][0], due=fields["first"][1], now=now, prefix="first"),
        **_target_counts(done=fields["resolution"][0], due=fields["resolution"][1], now=now, prefix="resolution"),
    )
    result = []
    for prefix, (done, due) in fields.items():
        result.append(
            Target(
                median=_median(tickets, start="created_at", end=done, count=counts[f"{prefix}_done"]),
                target_median=_median(tickets, start="created_at", end=due, count=counts[f"{prefix}_allowed"]),
                done=counts[f"{prefix}_done"],
                judged=counts[f"{prefix}_judged"],
                met=counts[f"{prefix}_met"],
            )
        )
    return result[0], result[1]


def _breach(*, done: str, due: str, now: datetime) -> Q:
    # While a ticket waits on the merchant its clock is paused: it breaches only if it was late before waiting.
    return Q(**{f"{done}__isnull": True}) & (
        Q(waiting_since__isnull=True, **{f"{due}__lt": now})
        | Q(waiting_since__isnull=False, **{f"{due}__lt": F("waiting_since")})
    )


def breaches(*, now: datetime) -> Breaches:
    """Open tickets past a due time without the response or resolution it was due for, right now."""
    first = _breach(done="first_responded_at", due="first_response_due", now=now)
    resolution = _breach(done="resolved_at", due="resolution_due", now=now)
    counts = (
        _live_tickets()
        .filter(status__in=OPEN_STATUSES)
        .aggregate(
            first=Count("pk", filter=first),
            resolution=Count("pk", filter=resolution),
            total=Count("pk", filter=first | resolution),
        )
    )
    return Breaches(first_response=counts["first"], resolution=counts["resolution"], total=counts["total"])


def deflection(*, since: datetime) -> DeflectionRate:
    return DeflectionRate(
        deflected=Deflection.objects.filter(created_at__gte=since).count(),
        tickets=_live_tickets().filter(created_at__gte=since).count(),
    )


def not_helpful(*, since: datetime) -> list[Row]:
    """Articles voted "not helpful" in the period (a changed vote counts when it was changed), worst first."""
    top = (
        ArticleVote.objects.filter(updated_at__gte=since)
        .values("article_id", "article__title", "article__language")
        .annotate(no=Count("pk", filter=Q(helpful=False)), yes=Count("pk", filter=Q(helpful=True)))
        .filter(no__gt=0)
        .order_by("-no", "article__title", "article_id")[:TOP]
    )
    return [
        Row(
            label=row["article__title"],
            value=row["no"],
            url=reverse("admin:kb_article_change", args=[row["article_id"]]),
            extra=str(row["yes"]),
        )
        for row in top
    ]


def zero_results(*, since: datetime) -> list[Row]:
    """What merchants searched for and found nothing: the articles or synonyms to write next."""
    top = (
        SearchLog.objects.filter(created_at__gte=since, result_count=0)
        .exclude(source=SearchLog.Source.SUGGEST)  # half-typed words, as in the search analytics
        .values("normalized")
        .annotate(n=Count("pk"), example=Max("query"), last=Max("created_at"))
        .order_by("-n", "-last", "normalized")[:TOP]
    )
    log = reverse("admin:kb_searchlog_changelist")
    add = reverse("admin:kb_article_add")
    return [
        Row(
            label=row["example"],
            value=row["n"],
            url=f"{log}?{urlencode({'q': row['normalized'], 'result_count': 0})}",
            extra=f"{add}?{urlencode({'title': row['example']})}",
        )
        for row in top
    ]


def dashboard(*, days: int, language: str, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    since = now - timedelta(days=days)
    first, resolution = targets(since=since, now=now)
    return Dashboard(
        days=days,
        since=since,
        as_of=now,
        open_tickets=open_tickets(),
        per_day=new_per_day(days=max(days, TREND_DAYS), now=now),
        top_codes=top_codes(since=since, language=language),
        top_articles=top_articles(since=since, language=language),
        first_response=first,
        resolution=resolution,
        breaches=breaches(now=now),
        deflection=deflection(since=since),
        not_helpful=not_helpful(since=since),
        zero_results=zero_results(since=since),
    )


# The figures cost a few seconds at tens of thousands of tickets, and every agent's dashboard asks for the
# same ones. Kept this long in the shared cache, per period and language (labels are translated), they are
# computed about once a minute for the whole team however many tabs are open. An agent who needs "now" (a
# ticket just filed, a target just missed) presses Refresh, which recomputes at once for everyone; the page
# always says what time its figures are from, so nobody mistakes a minute-old count for a live one.
CACHE_SECONDS = 60


def _cache_key(*, days: int, language: str) -> str:
    return f"agents:dashboard:{days}:{language}"


def dashboard_cached(*, days: int, language: str) -> Dashboard:
    """The dashboard as computed at most CACHE_SECONDS ago."""
    data = cache.get(_cache_key(days=days, language=language))
    # Judged by the figures' own time, not only the cache's expiry: one rule on every cache backend.
    if data is None or timezone.now() - data.as_of >= timedelta(seconds=CACHE_SECONDS):
        data = dashboard_refresh(days=days, language=language)
    return data


def dashboard_refresh(*, days: int, language: str) -> Dashboard:
    """Compute the figures now and keep them for everyone asking within the next CACHE_SECONDS."""
    data = dashboard(days=days, language=language)
    cache.set(_cache_key(days=days, language=language), data, CACHE_SECONDS + 5)
    return data
