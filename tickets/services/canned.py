"""Canned replies: prepared answers agents insert into a reply and adapt."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kb.models import Article
from tickets.access import require_ticket_writer
from tickets.models import CannedReply, Ticket

# {article:slug} becomes the address of that article in the ticket's language.
_ARTICLE = re.compile(r"\{article:([a-z0-9-]{1,80})\}")


@transaction.atomic
def canned_reply_save(
    *, agent, title: str, body: str, language: str, is_active: bool = True, reply: CannedReply | None = None
) -> CannedReply:
    require_ticket_writer(agent)
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError(_("A canned reply needs a title and a text."))
    reply = reply or CannedReply()
    reply.title, reply.body, reply.language, reply.is_active = title, body, language, is_active
    reply.save()
    return reply


def canned_replies_render(*, replies, ticket: Ticket, base_url: str = "") -> list[tuple[CannedReply, str]]:
    """Fill in canned replies for one ticket, with one query for all the articles they link.

    Plain replacement, never a template: the text is agents' input. Unknown article slugs are left as
    written so the agent sees what to fix before sending.
    """
    replies = list(replies)
    slugs = {slug for reply in replies for slug in _ARTICLE.findall(reply.body)}
    urls = {}
    if slugs:
        articles = Article.objects.published().filter(slug__in=slugs, language=ticket.language)
        for article in articles.only("slug", "language"):
            urls[article.slug] = base_url + article.get_absolute_url()

    def fill(body: str) -> str:
        text = _ARTICLE.sub(lambda match: urls.get(match.group(1), match.group(0)), body)
        return text.replace("{merchant_name}", ticket.contact_name).replace("{reference}", ticket.reference)

    return [(reply, fill(reply.body)) for reply in replies]
