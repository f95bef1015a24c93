"""Knowledge capture: an agent's good answer becomes a draft article that editors review and publish."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kb.models import Article, Category
from kb.services import ArticleContent, article_create
from tickets.access import Actor, require_ticket_writer
from tickets.models import ActorKind, Ticket, TicketEvent, TicketMessage
from tickets.services.events import event_record

TITLE_LENGTH = 60


def _title(ticket: Ticket) -> str:
    words = " ".join(part for part in (ticket.response_code, ticket.screen_text or ticket.description) if part)
    return words[:TITLE_LENGTH] or ticket.reference


def article_from_reply(*, ticket: Ticket, message: TicketMessage, agent: Actor, title: str = "") -> Article:
    """A DRAFT article in the ticket's language from a public agent reply; its first revision note names the
    ticket, and the ticket's timeline records the article, so each leads to the other."""
    require_ticket_writer(agent)
    if message.ticket_id != ticket.pk or message.is_internal or message.author_role != ActorKind.AGENT:
        raise ValidationError(_("Only a public answer from support can become an article."))
    if not message.body.strip():
        raise ValidationError(_("This answer has no text."))
    category = Category.objects.order_by("order", "slug").first()
    if category is None:
        raise ValidationError(_("The knowledge base has no category yet."))
    content = ArticleContent(
        title=title.strip() or _title(ticket),
        category=category,
        body=message.body,
        codes=ticket.response_code,
        symptoms=ticket.screen_text,
        status=Article.Status.DRAFT,
    )
    slug = f"ticket-{ticket.reference.lower()}-{message.pk}"
    with transaction.atomic():
        article = article_create(
            slug=slug, language=ticket.language, content=content, author=agent, note=f"ticket {ticket.reference}"
        )
        event_record(
            ticket=ticket,
            actor=agent,
            actor_kind=ActorKind.AGENT,
            kind=TicketEvent.Kind.ARTICLE,
            new_value=slug,
            message=message,
        )
    return article
