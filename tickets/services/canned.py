"""Canned replies: prepared answers agents insert into a reply and adapt."""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from infra.audit import Action, audit_record, values_of, values_stored
from kb.models import Article
from tickets.access import Actor, require_ticket_writer
from tickets.models import CannedReply, Ticket

# {article:slug} becomes the address of that article in the ticket's language.
_ARTICLE = re.compile(r"\{article:([a-z0-9-]{1,80})\}")


# What the record of a change to a canned reply compares.
_RECORDED = ("title", "language", "body", "is_active")


@transaction.atomic
def canned_reply_save(
    *, agent: Actor, title: str, body: str, language: str, is_active: bool = True, reply: CannedReply | None = None
) -> CannedReply:
    """Write a new canned reply, or change `reply`; the audit record names the agent and each change."""
    require_ticket_writer(agent)
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError(_("A canned reply needs a title and a text."))
    reply = reply if reply is not None and reply.pk else CannedReply()
    before = values_stored(reply, _RECORDED) if reply.pk else {}
    reply.title, reply.body, reply.language, reply.is_active = title, body, language, is_active
    reply.save()
    action = Action.CHANGED if before else Action.CREATED
    audit_record(actor=agent, action=action, instance=reply, before=before, after=values_of(reply, _RECORDED))
    return reply


@transaction.atomic
def canned_reply_delete(*, agent: Actor, reply: CannedReply) -> None:
    require_ticket_writer(agent)
    audit_record(actor=agent, action=Action.DELETED, instance=reply, before=values_of(reply, _RECORDED))
    reply.delete()


def canned_article_slugs(replies: Iterable[CannedReply]) -> set[str]:
    """The articles these replies link ({article:slug}), for a caller that reads them with other articles."""
    return {slug for reply in replies for slug in _ARTICLE.findall(reply.body)}


def canned_replies_render(
    *,
    replies: Iterable[CannedReply],
    ticket: Ticket,
    base_url: str = "",
    article_paths: dict[str, str] | None = None,
) -> list[tuple[CannedReply, str]]:
    """Fill in canned replies for one ticket, with one query for all the articles they link (none when the
    caller passes `article_paths`, slug → path of the published article in the ticket's language).

    Plain replacement, never a template: the text is agents' input. Unknown article slugs are left as
    written so the agent sees what to fix before sending.
    """
    replies = list(replies)
    slugs = canned_article_slugs(replies)
    urls = {}
    if article_paths is not None:
        urls = {slug: base_url + path for slug, path in article_paths.items() if slug in slugs}
    elif slugs:
        articles = Article.objects.published().filter(slug__in=slugs, language=ticket.language)
        for article in articles.only("slug", "language"):
            urls[article.slug] = base_url + article.get_absolute_url()

    def fill(body: str) -> str:
        text = _ARTICLE.sub(lambda match: urls.get(match.group(1), match.group(0)), body)
        return text.replace("{merchant_name}", ticket.contact_name).replace("{reference}", ticket.reference)

    return [(reply, fill(reply.body)) for reply in replies]


@dataclass(frozen=True)
class ShippedReply:
    """One canned reply as shipped in tickets/content/canned_replies.yaml, in one language."""

    key: str
    language: str
    title: str
    body: str

    @property
    def digest(self) -> str:
        return _digest(self.title, self.body)


def _digest(title: str, body: str) -> str:
    return hashlib.sha256(f"{title.strip()}\n{body.strip()}".encode()).hexdigest()


@transaction.atomic
def canned_replies_load(*, shipped: list[ShippedReply], force: bool = False) -> dict[str, list[str]]:
    """Create or update the shipped replies; idempotent. A reply changed in the admin since it was loaded is
    kept (listed under "kept") unless `force`. Returns the keys per outcome: created, updated, kept, same."""
    done: dict[str, list[str]] = {"created": [], "updated": [], "kept": [], "same": []}
    for entry in shipped:
        name = f"{entry.key}.{entry.language}"
        reply = CannedReply.objects.filter(key=entry.key, language=entry.language).first()
        if reply is None:
            reply = CannedReply(key=entry.key, language=entry.language)
            outcome = "created"
        elif reply.source_hash == entry.digest and _digest(reply.title, reply.body) == entry.digest:
            done["same"].append(name)
            continue
        elif _digest(reply.title, reply.body) != reply.source_hash and not force:
            done["kept"].append(name)
            continue
        else:
            outcome = "updated"
        before = values_stored(reply, _RECORDED) if reply.pk else {}
        reply.title, reply.body, reply.source_hash = entry.title.strip(), entry.body.strip(), entry.digest
        reply.save()
        action = Action.CHANGED if before else Action.CREATED
        audit_record(actor=None, action=action, instance=reply, before=before, after=values_of(reply, _RECORDED))
        done[outcome].append(name)
    return done
