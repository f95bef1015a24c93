"""The merchants' answers to "did this solve it?" over a period, per agent and per article (the dashboard's
satisfaction section). Read straight from the answers: a handful of grouped counts, cheap next to the cached
figures, so a fresh answer shows at once."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from kb.models import Article
from tickets.models import TicketFeedback


@dataclass(frozen=True)
class Satisfaction:
    label: str
    solved: int
    not_solved: int
    url: str = ""

    @property
    def answers(self) -> int:
        return self.solved + self.not_solved

    @property
    def share(self) -> str:
        return f"{round(self.solved * 100 / self.answers)}%" if self.answers else "—"


def _grouped(field: str, since: datetime) -> list[dict]:
    return list(
        TicketFeedback.objects.filter(created_at__gte=since)
        .values(field)
        .annotate(solved=Count("pk", filter=Q(helped=True)), not_solved=Count("pk", filter=Q(helped=False)))
        .order_by("-not_solved", "-solved", field)
    )


def per_agent(*, since: datetime, nobody: str) -> list[Satisfaction]:
    rows = _grouped("agent", since)
    users = get_user_model().objects.in_bulk([row["agent"] for row in rows if row["agent"]])
    return [
        Satisfaction(
            label=(users[row["agent"]].get_full_name() or users[row["agent"]].get_username())
            if row["agent"] in users
            else nobody,
            solved=row["solved"],
            not_solved=row["not_solved"],
        )
        for row in rows
    ]


def per_article(*, since: datetime, language: str, nobody: str) -> list[Satisfaction]:
    rows = _grouped("article_slug", since)
    articles: dict[str, Article] = {}
    for article in Article.objects.filter(slug__in=[row["article_slug"] for row in rows if row["article_slug"]]):
        if article.language == language or article.slug not in articles:
            articles[article.slug] = article
    result = []
    for row in rows:
        found = articles.get(row["article_slug"])
        result.append(
            Satisfaction(
                label=found.title if found else (row["article_slug"] or nobody),
                solved=row["solved"],
                not_solved=row["not_solved"],
                url=found.get_absolute_url() if found and found.is_public else "",
            )
        )
    return result
