"""Reads for ticket pages."""

import html
import re
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from kb.models import Article
from tickets.details import Section, detail_names
from tickets.models import (
    Attachment,
    InboundMail,
    NoticeDelivery,
    PendingUpload,
    Team,
    TerminalSticker,
    Ticket,
    TicketEvent,
    TicketMessage,
    agent_status_choices,
)

# The "steps to fix" section of an article, in either language: its numbered list holds the suggestions.
_FIX_HEADING = re.compile(r"<h2[^>]*>[^<]*(?:fix|步骤|解决|处理)[^<]*</h2>", re.IGNORECASE)
_LIST = re.compile(r"<ol>(.*?)</ol>", re.DOTALL)
_ITEM = re.compile(r"<li>(.*?)</li>", re.DOTALL)
# The terminal a merchant writes about, and the contact and terminal details (and the shop) a signed-in
# merchant does not have to type again.
TERMINAL_FIELDS = detail_names(section=Section.TERMINAL)
PREFILL_FIELDS = (*detail_names(section=Section.CONTACT), *TERMINAL_FIELDS, "location")


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


def known_terminals(user, *, limit: int = 5) -> list[dict]:
    """The terminals a signed-in merchant has written about, most recent first, one entry per MID/TID."""
    if not getattr(user, "is_authenticated", False):
        return []
    terminals: dict[tuple, dict] = {}
    for row in tickets_of(user).values(*TERMINAL_FIELDS)[:50]:
        terminals.setdefault((row["merchant_id"], row["terminal_id"]), row)
    return list(terminals.values())[:limit]


def public_messages(ticket: Ticket) -> list[TicketMessage]:
    """The conversation a merchant may see: never internal notes."""
    return list(
        ticket.messages.filter(is_internal=False)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
    )


def latest_answer(conversation: list[TicketMessage]) -> TicketMessage | None:
    """Support's newest public reply in a conversation already read (no query)."""
    return next((m for m in reversed(conversation) if m.author_role == TicketMessage.Role.AGENT), None)


def answer_unseen(ticket: Ticket, answer: TicketMessage | None) -> bool:
    """Whether the merchant's page has not yet shown this answer."""
    if answer is None:
        return False
    return ticket.merchant_seen_at is None or answer.created_at > ticket.merchant_seen_at


def pending_uploads(submission_key: str) -> list[PendingUpload]:
    if not submission_key:
        return []
    return list(PendingUpload.objects.filter(submission_key=submission_key))


# --- The agents' ticket page ------------------------------------------------------------------

EARLIER_LIMIT = 10


def agent_conversation(ticket: Ticket) -> list[TicketMessage]:
    """Every message, internal notes included: for the agents' page only."""
    return list(
        ticket.messages.select_related("author").prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
        )
    )


# Where support sent a tracking link (TicketEvent.Kind.LINK_SENT records the channels, never the link).
LINK_CHANNELS: dict[str, str | Promise] = {
    "email": _("by email"),
    "sms": _("by text message"),
    "email,sms": _("by email and text message"),
}


def timeline(ticket: Ticket, *, known_users=(), known_teams=()) -> list:
    """The ticket's events, oldest first, with the assignee ids of assignment events resolved to users.

    `known_users` (the page's list of agents) resolves most ids without a query; only someone no longer
    among them (a former agent) is looked up. `known_teams` (objects with pk and name: the page's team menu)
    names the teams of team changes likewise."""
    events = list(ticket.events.select_related("actor"))
    ids = {
        int(value)
        for event in events
        if event.kind == event.Kind.ASSIGNEE
        for value in (event.old_value, event.new_value)
        if value.isdigit()
    }
    users = {user.pk: user for user in known_users if user.pk in ids}
    missing = ids - users.keys()
    users |= get_user_model().objects.in_bulk(missing) if missing else {}
    labels: dict[str, dict[str, str | Promise]] = {
        TicketEvent.Kind.STATUS: dict(agent_status_choices()),
        TicketEvent.Kind.PRIORITY: dict(Ticket.Priority.choices),
        TicketEvent.Kind.LINK_SENT: LINK_CHANNELS,
    }
    teams = {value for event in events if event.kind == event.Kind.TEAM for value in (event.old_value, event.new_value)}
    team_names = {str(team.pk): team.name for team in known_teams if str(team.pk) in teams}
    unnamed = [int(value) for value in teams - team_names.keys() if value.isdigit()]
    if unnamed:
        team_names |= {str(team.pk): team.name for team in Team.objects.filter(pk__in=unnamed)}
    labels[TicketEvent.Kind.TEAM] = team_names
    for event in events:
        if event.kind == event.Kind.ASSIGNEE:
            event.old_user = users.get(int(event.old_value)) if event.old_value.isdigit() else None
            event.new_user = users.get(int(event.new_value)) if event.new_value.isdigit() else None
        names = labels.get(event.kind, {})
        event.old_label = names.get(event.old_value, event.old_value)
        event.new_label = names.get(event.new_value, event.new_value)
        event.summary = photo_event_summary(event)
    return events


def photo_event_summary(event: TicketEvent) -> str:
    """What a photo's event says in the timeline ("photo 2 read: code A0", "card number hidden in photo 2");
    "" for every other kind. A card event names the photo, never the number."""
    if event.kind == TicketEvent.Kind.PHOTO_READ:
        codes = event.new_value.split()
        if not codes:
            return _("photo %(n)s read: no code") % {"n": event.old_value}
        if len(codes) == 1:
            return _("photo %(n)s read: code %(code)s") % {"n": event.old_value, "code": codes[0]}
        return _("photo %(n)s read: codes %(codes)s") % {"n": event.old_value, "codes": ", ".join(codes)}
    if event.kind == TicketEvent.Kind.PHOTO_CARD:
        return _("card number hidden in photo %(n)s") % {"n": event.new_value}
    return ""


def earlier_tickets(ticket: Ticket) -> list[Ticket]:
    """Other tickets from the same merchant (MID) or terminal (TID), newest first, with their outcome."""
    same = Q(merchant_id=ticket.merchant_id) | Q(terminal_id=ticket.terminal_id)
    rows = Ticket.objects.filter(same).exclude(pk=ticket.pk).order_by("-created_at", "-pk")
    return list(rows.only(*RELATED_FIELDS)[:EARLIER_LIMIT])


RELATED_FIELDS = (
    "reference", "status", "response_code", "screen_text", "created_at", "resolved_at", "merchant_id", "terminal_id",
    "merged_into", "contact_name",
)  # fmt: skip


def related_tickets(ticket: Ticket, *, open_nearby: list[Ticket]) -> list[Ticket]:
    """The other tickets of this merchant or terminal as one list, each once: the open ones for the same
    terminal of the last 24 hours (`open_nearby`, from open_for_terminal) first, marked `open_nearby`, then
    the earlier ones, newest first."""
    nearby = {other.pk for other in open_nearby}
    rows = [*open_nearby, *(other for other in earlier_tickets(ticket) if other.pk not in nearby)]
    for other in rows:
        other.open_nearby = other.pk in nearby
    return rows


def merged_into_this(ticket: Ticket) -> list[Ticket]:
    """The duplicates merged into this ticket: each keeps its own conversation, which agents open from here."""
    return list(ticket.merged_tickets.order_by("created_at", "pk").only("reference", "contact_name", "merged_into"))


def ticket_workers() -> QuerySet:
    """The support agents a ticket can be assigned to (one query): active staff in the agents' group, or given
    the right to change tickets themselves. Administrators and editors hold that right through their own
    roles, not as agents: they are not offered (an administrator who works tickets joins the agents' group)."""
    from tickets.notifications import AGENTS_GROUP

    may_work = Q(
        groups__name=AGENTS_GROUP,
        groups__permissions__codename="change_ticket",
        groups__permissions__content_type__app_label="tickets",
    ) | Q(user_permissions__codename="change_ticket", user_permissions__content_type__app_label="tickets")
    return get_user_model().objects.filter(may_work, is_staff=True, is_active=True).distinct().order_by("username")


def article_titles(slugs, *, language: str) -> dict[str, str]:
    """The titles of these articles (one query): in `language` when written in it, else in the other one."""
    return articles_named(slugs, language=language, paths_in="")[0]


def articles_named(slugs, *, language: str, paths_in: str) -> tuple[dict[str, str], dict[str, str]]:
    """In one query: the titles of these live articles (in `language` when written in it, else in the
    other one), and the paths of those published for merchants in `paths_in` (links in canned replies)."""
    slugs = {slug for slug in slugs if slug}
    if not slugs:
        return {}, {}
    rows = Article.objects.live().filter(slug__in=slugs).values_list("slug", "language", "title", "visibility")
    titles: dict[str, str] = {}
    paths: dict[str, str] = {}
    for slug, row_language, title, visibility in sorted(rows, key=lambda row: row[1] == language):
        titles[slug] = title  # the page's language sorts last, so it wins
        if row_language == paths_in and visibility == Article.Visibility.PUBLIC:
            with translation.override(row_language):
                paths[slug] = reverse("kb:article", kwargs={"slug": slug})
    return titles, paths


# Nobody is limited per terminal (anyone can type a shop's MID/TID, so a limit there would let strangers
# block the shop): repeated tickets about one terminal are shown to agents as a group instead.
REPEAT_WINDOW = timedelta(hours=24)
STILL_OPEN = (Ticket.Status.NEW, Ticket.Status.OPEN, Ticket.Status.WAITING_ON_MERCHANT)


def _recent_open(now: datetime) -> QuerySet:
    return Ticket.objects.filter(status__in=STILL_OPEN, merged_into__isnull=True, created_at__gte=now - REPEAT_WINDOW)


def open_for_terminal(ticket: Ticket, *, now: datetime | None = None) -> list[Ticket]:
    """The other open tickets about the same terminal (MID and TID) sent in the last 24 hours, newest first."""
    rows = _recent_open(now or timezone.now()).filter(merchant_id=ticket.merchant_id, terminal_id=ticket.terminal_id)
    rows = rows.exclude(pk=ticket.pk).order_by("-created_at", "-pk")
    return list(rows.only(*RELATED_FIELDS)[:EARLIER_LIMIT])


def with_terminal_repeats(queryset: QuerySet, *, now: datetime | None = None) -> QuerySet:
    """The rows with `terminal_repeats`: how many OTHER open tickets their terminal (MID and TID) had in the
    last 24 hours. A subquery of the page's own query (the MID/TID index answers it for each row shown), so
    a page of the queue costs no query of its own for it."""
    others = _recent_open(now or timezone.now()).filter(
        merchant_id=OuterRef("merchant_id"), terminal_id=OuterRef("terminal_id")
    )
    counted = others.exclude(pk=OuterRef("pk")).order_by().values("merchant_id").annotate(n=Count("pk")).values("n")
    return queryset.annotate(terminal_repeats=Coalesce(Subquery(counted), 0))


def merchant_not_notified(ticket: Ticket) -> list[NoticeDelivery]:
    """The merchant's notifications that could not be delivered, each with `label` saying which it was."""
    from tickets.notifications import EVENT_LABELS, MERCHANT_EVENTS

    rows = list(ticket.notice_deliveries.filter(status=NoticeDelivery.Status.UNDELIVERABLE, event__in=MERCHANT_EVENTS))
    for row in rows:
        row.label = EVENT_LABELS.get(row.event, row.event)
    return rows


def ticket_to_find(*, lookup: str, phone: str = "", email: str = "") -> Ticket | None:
    """'Find my request': the newest ticket with this reference, MID or TID and this mobile number (stored
    form) or email address (any case); None when there is none."""
    tickets = Ticket.objects.filter(Q(reference=lookup) | Q(merchant_id=lookup) | Q(terminal_id=lookup))
    tickets = tickets.filter(phone=phone) if phone else tickets.filter(email__iexact=email.strip())
    return tickets.order_by("-created_at", "-pk").first() if (phone or email.strip()) else None


# --- Terminal stickers ------------------------------------------------------------------------

RECENT_TERMINAL_TICKETS = 5


def live_sticker(token: str) -> TerminalSticker | None:
    if not token:
        return None
    return TerminalSticker.objects.filter(token=token[:16], revoked_at__isnull=True).first()


def terminal_tickets_of(user, *, sticker: TerminalSticker) -> list[Ticket]:
    """The signed-in owner's own recent tickets for this terminal; nobody else's, and none for a visitor."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows = tickets_of(user).filter(merchant_id=sticker.merchant_id, terminal_id=sticker.terminal_id)
    return list(rows.order_by("-created_at")[:RECENT_TERMINAL_TICKETS])


# Why a received email is waiting for an agent, in the words the agent reads.
UNMATCHED_REASONS = {
    "other-sender": _("Sent from an address that is not the ticket's"),
    "bad-token": _("The reply address was altered or damaged"),
    "no-token": _("Sent to the mailbox without a ticket's reply address"),
    "closed": _("A reply to a closed ticket"),
}


def unmatched_mails(*, limit: int = 100) -> list[InboundMail]:
    """The received emails waiting for an agent, newest first, each with `reason_label` and its kept files."""
    rows = list(
        InboundMail.objects.filter(status=InboundMail.Status.UNMATCHED)
        .select_related("ticket")
        .prefetch_related("files")[:limit]
    )
    for row in rows:
        row.reason_label = UNMATCHED_REASONS.get(row.reason, row.reason)
    return rows
