"""The search analytics editors read in the admin: volumes, click-through, top and zero-result queries."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, Count, Max, Q
from django.utils import timezone

from kb.search.models import SearchLog


@dataclass
class Analytics:
    days: int
    searches: int
    zero_results: int
    opened: int
    top_queries: list[dict]
    zero_result_queries: list[dict]
    top_opened: list[dict]

    @property
    def click_through(self) -> float:
        return self.opened / self.searches if self.searches else 0.0

    @property
    def zero_rate(self) -> float:
        return self.zero_results / self.searches if self.searches else 0.0


def search_analytics(*, days: int = 30, include_suggestions: bool = False, limit: int = 30) -> Analytics:
    since = timezone.now() - timedelta(days=days)
    logs = SearchLog.objects.filter(created_at__gte=since)
    if not include_suggestions:
        logs = logs.exclude(source=SearchLog.Source.SUGGEST)
    totals = logs.aggregate(
        searches=Count("pk"),
        zero=Count("pk", filter=Q(result_count=0)),
        opened=Count("pk", filter=Q(opened_position__isnull=False)),
    )
    top = (
        logs.values("normalized")
        .annotate(
            searches=Count("pk"),
            opened=Count("pk", filter=Q(opened_position__isnull=False)),
            results=Avg("result_count"),
            avg_position=Avg("opened_position"),
            last=Max("created_at"),
        )
        .order_by("-searches", "normalized")[:limit]
    )
    zero = (
        logs.filter(result_count=0)
        .values("normalized")
        .annotate(searches=Count("pk"), last=Max("created_at"), example=Max("query"))
        .order_by("-searches", "-last")[:limit]
    )
    top_queries = []
    for row in top:
        row["click_through"] = row["opened"] / row["searches"] if row["searches"] else 0.0
        top_queries.append(row)
    counts: dict[str, int] = {}
    for log in logs.filter(opened_position__isnull=False).only("results", "opened_position")[:5000]:
        url = log.opened_url
        if url:
            counts[url] = counts.get(url, 0) + 1
    top_opened = [{"url": u, "opens": n} for u, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:limit]]
    return Analytics(
        days=days,
        searches=totals["searches"],
        zero_results=totals["zero"],
        opened=totals["opened"],
        top_queries=top_queries,
        zero_result_queries=list(zero),
        top_opened=top_opened,
    )
