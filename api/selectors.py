"""Reads for the API, shaped as its schemas: the knowledge base through kb's selectors and search, tickets
through the tickets' selectors. Links are absolute, on the configured site address."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation

from api.models import WebhookDelivery
from infra.mail import site_link
from infra.masking import mask
from kb import search as kb_search
from kb import selectors as kb_selectors
from kb.models import Article, Category, ResponseCode
from tickets import selectors as ticket_selectors
from tickets.models import Ticket, TicketMessage

PAGE_SIZE = 50


def search(query: str, *, language: str, limit: int) -> dict:
    """The site's search pipeline; the query is masked before it is searched or logged."""
    query = mask(query.strip())
    result = kb_selectors.search_pages(query, language=language, limit=limit)
    kb_search.log_search(query=query, result=result, source=kb_search.SearchLog.Source.API)
    hits = [hit.as_json() | {"url": site_link(hit.url)} for hit in result.hits]
    return {"query": query, "exact_match": result.exact, "codes": list(result.codes), "results": hits}


def categories(*, language: str) -> list[dict]:
    with translation.override(language):
        return [{"slug": row.slug, "name": row.name, "description": row.description} for row in Category.objects.all()]


def _article_summary(row: Article) -> dict:
    return {
        "slug": row.slug,
        "language": row.language,
        "title": row.title,
        "summary": row.summary,
        "category": row.category.slug,
        "codes": row.code_list,
        "url": site_link(row.get_absolute_url()),
        "updated_at": row.updated_at.isoformat(),
    }


def articles(*, language: str, category: str | None) -> list[dict]:
    rows = Article.objects.published().in_language(language).select_related("category").order_by("order", "slug")
    if category:
        rows = rows.filter(category__slug=category)
    return [_article_summary(row) for row in rows]


def article(*, slug: str, language: str) -> dict | None:
    row = Article.objects.published().in_language(language).select_related("category").filter(slug=slug).first()
    if row is None:
        return None
    return _article_summary(row) | {"body_html": row.body_html}


def _code(row: ResponseCode, language: str) -> dict:
    with translation.override(language):
        return {
            "code": row.code,
            "name": row.name,
            "action": row.action,
            "resign": row.resign,
            "screen_texts": row.screen_text_list,
            "url": site_link(row.get_absolute_url(language)),
        }


def codes(*, language: str) -> list[dict]:
    return [_code(row, language) for row in ResponseCode.objects.filter(is_published=True)]


def code(value: str, *, language: str) -> dict | None:
    row = ResponseCode.objects.filter(is_published=True, code__iexact=value.strip()[:4]).first()
    return None if row is None else _code(row, language)


def message(row: TicketMessage) -> dict:
    return {
        "author": row.author_role,
        "body": row.body,
        "internal": row.is_internal,
        "created_at": row.created_at,
        "attachments": [
            {"name": item.original_name, "content_type": item.content_type, "size": item.size}
            for item in row.attachments.all()
        ],
    }


def ticket(row: Ticket, *, internal: bool) -> dict:
    """A ticket with its conversation; internal notes only for an agent token allowed to read them."""
    messages = ticket_selectors.agent_conversation(row) if internal else ticket_selectors.public_messages(row)
    return {
        "reference": row.reference,
        "status": row.status,
        "status_label": row.get_status_display(),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "merchant_id": row.merchant_id,
        "terminal_id": row.terminal_id,
        "response_code": row.response_code,
        "messages": [message(item) for item in messages],
    }


def summary(row: Ticket) -> dict:
    return {
        "reference": row.reference,
        "status": row.status,
        "priority": row.priority,
        "assignee": row.assignee.get_username() if row.assignee else None,
        "merchant_id": row.merchant_id,
        "terminal_id": row.terminal_id,
        "response_code": row.response_code,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def agent_tickets(
    *, status: str | None, priority: str | None, assignee: str | None, code: str | None, terminal: str | None
) -> QuerySet[Ticket]:
    rows = Ticket.objects.select_related("assignee").order_by("-updated_at", "-pk")
    if status:
        rows = rows.filter(status=status)
    if priority:
        rows = rows.filter(priority=priority)
    if assignee == "none":
        rows = rows.filter(assignee__isnull=True)
    elif assignee:
        rows = rows.filter(assignee__username=assignee)
    if code:
        rows = rows.filter(response_code__iexact=code)
    if terminal:
        rows = rows.filter(merchant_id=terminal) | rows.filter(terminal_id=terminal)
    return rows


def webhook_deliveries_due(*, now: datetime) -> list[int]:
    """Pending deliveries whose next try is due: never tried for a minute (the worker lost the task), or
    past their backoff (1, 2, 4 … × WEBHOOK_RETRY_SECONDS after the last try)."""
    due = []
    rows = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).values_list(
        "pk", "attempts", "created_at", "last_attempt_at"
    )
    for pk, attempts, created_at, last_attempt_at in rows.order_by("pk"):
        if last_attempt_at is None:
            ready = created_at + timedelta(minutes=1)
        else:
            ready = last_attempt_at + timedelta(seconds=settings.WEBHOOK_RETRY_SECONDS * 2 ** max(attempts - 1, 0))
        if ready <= now:
            due.append(pk)
    return due
