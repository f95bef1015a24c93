"""Reads for ticket pages."""

import html
import re

from django.db.models import Prefetch, QuerySet
from django.utils.html import strip_tags

from kb.models import Article
from tickets.models import Attachment, PendingUpload, Ticket, TicketMessage

# The "steps to fix" section of an article, in either language: its numbered list holds the suggestions.
_FIX_HEADING = re.compile(r"<h2[^>]*>[^<]*(?:fix|步骤|解决|处理)[^<]*</h2>", re.IGNORECASE)
_LIST = re.compile(r"<ol>(.*?)</ol>", re.DOTALL)
_ITEM = re.compile(r"<li>(.*?)</li>", re.DOTALL)
# Contact and terminal details a signed-in merchant does not have to type again.
PREFILL_FIELDS = (
    "contact_name",
    "phone",
    "email",
    "merchant_id",
    "terminal_id",
    "serial_number",
    "terminal_model",
    "acquirer",
    "location",
)


def source_article(*, slug: str, language: str) -> Article | None:
    if not slug:
        return None
    return Article.objects.published().filter(slug=slug, language=language).only("slug", "title", "body_html").first()


def article_fixes(article: Article | None) -> list[str]:
    """The suggestions of an article's "steps to fix" list, as plain text."""
    if article is None:
        return []
    body = article.body_html
    heading = _FIX_HEADING.search(body)
    found = _LIST.search(body, heading.end() if heading else 0)
    if found is None:
        return []
    items = [html.unescape(strip_tags(item)).strip() for item in _ITEM.findall(found.group(1))]
    return [item[:300] for item in items if item]


def tickets_of(user) -> QuerySet[Ticket]:
    return Ticket.objects.filter(requester=user).order_by("-created_at", "-pk")


def last_ticket_initial(user) -> dict:
    if not getattr(user, "is_authenticated", False):
        return {}
    last = tickets_of(user).values(*PREFILL_FIELDS).first()
    if last is None:
        return {"email": user.email} if user.email else {}
    return {name: value for name, value in last.items() if value}


def public_messages(ticket: Ticket) -> list[TicketMessage]:
    """The conversation a merchant may see: never internal notes."""
    return list(
        ticket.messages.filter(is_internal=False)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
    )


def pending_uploads(submission_key: str) -> list[PendingUpload]:
    if not submission_key:
        return []
    return list(PendingUpload.objects.filter(submission_key=submission_key))
