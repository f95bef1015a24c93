"""The agents' ticket page and its log viewer: reads only; every change is a POST in ticket_actions."""

from collections.abc import Iterable

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agents.access import AgentRequest, agent_required
from agents.presence import presence_of
from agents.selectors import teams
from agents.services import ticket_seen_record
from agents.views.ticket_actions import COMPOSER_TAG
from infra import mail
from infra.flash import placed_messages
from kb.models import ResponseCode
from kb.search import search
from tickets import classify, logs, selectors
from tickets.access import agent_ticket_for, attachment_for, may_change_tickets
from tickets.models import Attachment, CannedReply, FileKind, Ticket, TicketMessage, agent_status_choices
from tickets.services.canned import canned_article_slugs, canned_replies_render

INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp"}


def _files(conversation: Iterable[TicketMessage]) -> tuple[list[Attachment], list[Attachment]]:
    images: list[Attachment] = []
    logs_: list[Attachment] = []
    for message in conversation:
        for attachment in message.attachments.all():
            if attachment.kind == FileKind.IMAGE and attachment.thumbnail:
                attachment.inline = attachment.content_type in INLINE_IMAGE_TYPES
                attachment.gallery_index = len(images)  # the conversation's thumbnail opens this photo
                images.append(attachment)
            elif attachment.kind == FileKind.LOG:
                logs_.append(attachment)
    return images, logs_


def photo_codes(images: list[Attachment]) -> list[tuple[str, int]]:
    """The codes read in the ticket's photos, each once, with the photo it was first read in (numbered as the
    page numbers them): offered to the classification as "A0 (from photo 2)"."""
    found: dict[str, int] = {}
    for number, image in enumerate(images, start=1):
        for code in image.photo_codes.split():
            found.setdefault(code, number)
    return list(found.items())


ARTICLE_CHOICES = 8
ARTICLE_QUERY_LENGTH = 100


def article_choices(query: str) -> list[dict[str, str]]:
    """Articles an agent may pick as the right answer: searched in the language(s) of what they typed."""
    query = query.strip()[:ARTICLE_QUERY_LENGTH]  # card numbers were masked by the middleware
    if not query:
        return []
    found: dict[str, dict[str, str]] = {}
    for language in classify.text_languages(query, fallback=get_language() or "zh-hans"):
        for hit in search(query, language=language, limit=ARTICLE_CHOICES).hits:
            if hit.kind == "article" and hit.key not in found:
                found[hit.key] = {"slug": hit.key, "title": hit.title, "url": hit.url}
    return list(found.values())[:ARTICLE_CHOICES]


def _suggestion_context(ticket: Ticket, request: AgentRequest, *, canned: list[CannedReply]) -> dict:
    """The suggested answer and the source article by their titles, and the canned replies filled in: the
    articles they all name read in one query."""
    suggestion = classify.stored_suggestion(ticket)
    slugs = {ticket.article_slug, *canned_article_slugs(canned)}
    if suggestion is not None:
        slugs |= {suggestion.article_slug, suggestion.correct_article_slug}
    query = request.GET.get("article_q", "")
    titles, paths = selectors.articles_named(
        slugs, language=get_language() or ticket.language, paths_in=ticket.language
    )
    base_url = mail.site_link("")  # links in replies are emailed: never on the request's Host header
    return {
        "suggestion": suggestion,
        "titles": titles,
        "canned": canned_replies_render(replies=canned, ticket=ticket, base_url=base_url, article_paths=paths),
        "article_query": query.strip()[:ARTICLE_QUERY_LENGTH],
        "article_choices": article_choices(query) if query.strip() else [],
    }


@agent_required
@require_GET
def ticket_detail(request: AgentRequest, reference: str) -> HttpResponse:
    ticket = agent_ticket_for(
        user=request.user, reference=reference, related=("assignee", "merged_into", "classification")
    )
    ticket_seen_record(agent=request.user, ticket=ticket)
    conversation = selectors.agent_conversation(ticket)
    images, log_files = _files(conversation)
    workers = list(selectors.ticket_workers())
    same_terminal = selectors.open_for_terminal(ticket)
    canned = list(CannedReply.objects.filter(is_active=True, language=ticket.language))
    # Kept in the cache with the queue's menus: the select, the team's name and the history's team names
    # cost no query of their own on a ticket reached from the queue.
    team_menu = teams()
    context = {
        "section": "queue",
        "ticket": ticket,
        "conversation": conversation,
        "images": images,
        "photo_codes": photo_codes(images),
        "logs": log_files,
        "events": selectors.timeline(ticket, known_users=workers, known_teams=team_menu),
        "related": selectors.related_tickets(ticket, open_nearby=same_terminal),
        "merged_from": selectors.merged_into_this(ticket),
        "not_notified": selectors.merchant_not_notified(ticket),
        "same_terminal": same_terminal,
        "agents": workers,
        "teams": team_menu,
        "may_change": may_change_tickets(request.user),
        "code": ResponseCode.objects.filter(code=ticket.response_code, is_published=True).first()
        if ticket.response_code
        else None,
        **_suggestion_context(ticket, request, canned=canned),
        "statuses": agent_status_choices(),
        "priorities": Ticket.Priority.choices,
        "present": presence_of(ticket_pk=ticket.pk, user=request.user),
        **placed_messages(request, areas=(COMPOSER_TAG,)),
        "presence_texts": {
            "typing": _("%(name)s is typing a reply."),
            "viewing": _("%(name)s also has this ticket open."),
        },
    }
    response = render(request, "agents/ticket.html", context)
    response["Cache-Control"] = "no-store, private"
    return response


@agent_required
@require_GET
def ticket_article_choices(request: AgentRequest, reference: str) -> HttpResponse:
    """The article picker's results as a fragment of the ticket page, for the search box's script."""
    ticket = agent_ticket_for(user=request.user, reference=reference)
    query = request.GET.get("article_q", "")
    context = {"ticket": ticket, "article_query": query.strip()[:ARTICLE_QUERY_LENGTH]}
    context["article_choices"] = article_choices(query)
    response = render(request, "agents/ticket.html#article-choices", context)
    response["Cache-Control"] = "no-store, private"
    return response


def _page_number(value: str) -> int:
    return int(value) if value.isdigit() and 0 < int(value) < 1_000_000 else 1


@agent_required
@require_GET
def ticket_log(request: AgentRequest, reference: str, pk: int) -> HttpResponse:
    """One page of a log file, numbered and searchable; the file is checked by the same gate as downloads."""
    ticket = agent_ticket_for(user=request.user, reference=reference)
    attachment = attachment_for(user=request.user, key=ticket.reference, pk=pk)
    if attachment.kind != FileKind.LOG:
        raise Http404
    query = request.GET.get("q", "").strip()[:100]
    known = set(ResponseCode.objects.filter(is_published=True).values_list("code", flat=True))
    page = logs.log_page(
        attachment,
        member=request.GET.get("member", ""),
        page=_page_number(request.GET.get("page", "")),
        query=query,
        known_codes=known,
    )
    context = {"section": "queue", "ticket": ticket, "attachment": attachment, "log": page, "query": query}
    response = render(request, "agents/ticket_log.html", context)
    response["Cache-Control"] = "no-store, private"
    return response
