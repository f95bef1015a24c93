"""Tickets, votes and searches with chosen timestamps for the dashboard tests (written straight to the
database: the dashboard only reads, and the services would stamp every row with the current time)."""

import itertools
from datetime import datetime

from django.utils import timezone

from kb.models import ArticleVote
from kb.search import SearchLog
from tickets.models import Deflection, Ticket

_numbers = itertools.count(1)


def ticket_row(**fields) -> Ticket:
    n = next(_numbers)
    values = {
        "reference": f"POS-2026-{n:06d}",
        "access_token_hash": f"{n:064d}",
        "submission_key": f"dash-{n:059d}",
        "contact_name": "王芳",
        "phone": "13800138000",
        "merchant_id": "102310058120001",
        "terminal_id": "12345678",
        "occurred_at": timezone.now(),
        "description": "刷卡提示请重新签到",
    }
    values.update(fields)
    return Ticket(**values)


def ticket(*, created_at: datetime, **fields) -> Ticket:
    row = ticket_row(**fields)
    row.save()
    # created_at is auto_now_add: set the chosen time afterwards.
    Ticket.objects.filter(pk=row.pk).update(created_at=created_at)
    row.created_at = created_at
    return row


def deflection(*, created_at: datetime) -> None:
    row = Deflection.objects.create(article_slug="x", language="zh-hans")
    Deflection.objects.filter(pk=row.pk).update(created_at=created_at)


def vote(*, article, helpful: bool, at: datetime) -> None:
    row = ArticleVote.objects.create(article=article, visitor=f"v{next(_numbers)}", helpful=helpful)
    ArticleVote.objects.filter(pk=row.pk).update(created_at=at, updated_at=at)


def search(*, query: str, results: int, at: datetime, source=SearchLog.Source.PAGE) -> None:
    row = SearchLog.objects.create(
        query=query, normalized=query.lower(), language="zh-hans", source=source, result_count=results
    )
    SearchLog.objects.filter(pk=row.pk).update(created_at=at)
