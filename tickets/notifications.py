"""Who is told what, and through which channel: the one place that decides.

The ticket services call the `ticket_*` functions below inside their transaction. Each decides the
recipients, records a NoticeDelivery row per notice in the same transaction, and registers one on-commit
callback that enqueues a delivery task per row (tickets/tasks.py, tickets/services/notices.py), so nothing is
sent for a change that rolled back, no request waits for a mail server, and a notice is sent once however
often its task runs.

Merchants hear about a public reply, a request for their action (waiting on them) and the resolution —
by email when they gave one. Agents hear about a new unassigned ticket (every agent), a merchant's reply
(the assignee) and a ticket about to breach (the assignee, or every agent when nobody has it).
Internal notes are never a reason to tell a merchant, and no email shows any message body but a public one.
A new channel (SMS, WeChat) is another Channel in CHANNELS and one more address in `_recipients`.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from portal import mail
from tickets import replyto
from tickets.models import NoticeDelivery, Ticket, TicketMessage

logger = logging.getLogger(__name__)
AGENTS_GROUP = "Support agents"  # agents/roles.py's name; tickets must not import agents


class Event:
    """Template names under templates/emails/: <event>_subject.txt, <event>.txt, <event>.html."""

    RECEIPT = "ticket_receipt"
    AGENT_REPLY = "agent_reply"
    WAITING = "waiting_on_merchant"
    RESOLVED = "resolved"
    NEW_TICKET = "new_ticket"
    MERCHANT_REPLY = "merchant_reply"
    BREACH = "breach_warning"


MERCHANT_EVENTS = {Event.RECEIPT, Event.AGENT_REPLY, Event.WAITING, Event.RESOLVED}
# What an agent reads when a merchant's notification could not be delivered.
EVENT_LABELS = {
    Event.RECEIPT: _("the receipt with the tracking link"),
    Event.AGENT_REPLY: _("a reply from support"),
    Event.WAITING: _("the request to answer"),
    Event.RESOLVED: _("the resolution"),
    Event.NEW_TICKET: _("a new ticket"),
    Event.MERCHANT_REPLY: _("the merchant's reply"),
    Event.BREACH: _("a due time warning"),
}


@dataclass(frozen=True)
class Notice:
    """One message to one person: plain values only, as it travels through the task queue."""

    event: str
    ticket_id: int
    channel: str
    address: str
    language: str
    message_id: int | None = None
    extra: dict = field(default_factory=dict)


class EmailChannel:
    name = "email"

    def deliver(self, notice: Notice) -> None:
        """Render and send; raises when the mail server cannot take it, so the task can try again."""
        ticket = Ticket.objects.get(pk=notice.ticket_id)
        message = None
        if notice.message_id is not None:
            # A public message only, checked again at delivery time.
            message = TicketMessage.objects.filter(pk=notice.message_id, ticket=ticket, is_internal=False).first()
        # Replies are read (and so invited) only from the merchant, through the ticket's own reply address.
        reply_to = replyto.reply_address(ticket.pk) if notice.event in MERCHANT_EVENTS else ""
        with translation.override(notice.language):
            context = {
                "ticket": ticket,
                "message": message,
                "link": _link(notice, ticket),
                "site_name": settings.SITE_NAME,
                "replies_read": bool(reply_to),
                **notice.extra,
            }
            mail.send_templated(
                template=f"emails/{notice.event}", context=context, to=notice.address, reply_to=reply_to
            )


CHANNELS = {"email": EmailChannel()}


def _link(notice: Notice, ticket: Ticket) -> str:
    if "tracking_url" in notice.extra:
        return notice.extra["tracking_url"]
    if notice.event in MERCHANT_EVENTS:
        # Anonymous merchants have only the private link from their receipt; it is never stored in clear.
        if ticket.requester_id is None:
            return ""
        path = reverse("tickets:detail", kwargs={"key": ticket.reference})
    else:
        path = reverse("agents:ticket", kwargs={"reference": ticket.reference})
    return mail.site_link(path)


# --- Recipients ----------------------------------------------------------------------------------


def _merchant(ticket: Ticket, event: str, **values) -> list[Notice]:
    if not ticket.email:
        return []
    return [
        Notice(
            event=event, ticket_id=ticket.pk, channel="email", address=ticket.email, language=ticket.language, **values
        )
    ]


def _agent_language(user) -> str:
    # No per-agent language setting exists yet: the console's default language.
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def _agents(ticket: Ticket, event: str, users, **values) -> list[Notice]:
    return [
        Notice(
            event=event, ticket_id=ticket.pk, channel="email", address=u.email, language=_agent_language(u), **values
        )
        for u in users
        if u.email and u.is_active
    ]


def _all_agents():
    return get_user_model().objects.filter(groups__name=AGENTS_GROUP, is_active=True).exclude(email="").distinct()


def _assignee_or_everyone(ticket: Ticket):
    return [ticket.assignee] if ticket.assignee_id else list(_all_agents())


# --- What the services call ------------------------------------------------------------------------


def ticket_created(ticket: Ticket, tracking_url: str = "") -> None:
    # The receipt carries the private link, which exists only now: without it there is no receipt.
    notices = _merchant(ticket, Event.RECEIPT, extra={"tracking_url": tracking_url}) if tracking_url else []
    if ticket.assignee_id is None:
        notices += _agents(ticket, Event.NEW_TICKET, _all_agents())
    _after_commit(notices)


def ticket_replied(ticket: Ticket, message: TicketMessage) -> None:
    """A message was added: a public agent reply tells the merchant, a merchant reply tells the assignee."""
    if message.is_internal:
        return
    if message.author_role == TicketMessage.Role.AGENT:
        _after_commit(_merchant(ticket, Event.AGENT_REPLY, message_id=message.pk))
    elif message.author_role == TicketMessage.Role.MERCHANT and ticket.assignee_id:
        _after_commit(_agents(ticket, Event.MERCHANT_REPLY, [ticket.assignee], message_id=message.pk))


def ticket_status_changed(ticket: Ticket, old: str, new: str) -> None:
    """An agent changed the status without a reply: tell the merchant when it needs them or is done."""
    events = {Ticket.Status.WAITING_ON_MERCHANT: Event.WAITING, Ticket.Status.RESOLVED: Event.RESOLVED}
    if old != new and new in events:
        _after_commit(_merchant(ticket, events[new]))


def ticket_breach_near(ticket: Ticket, target: str, due) -> None:
    extra = {"target": target, "due": due.isoformat()}
    _after_commit(_agents(ticket, Event.BREACH, _assignee_or_everyone(ticket), extra=extra))


def deliver(notice: Notice) -> None:
    """Send one notice through its channel; raises when the channel cannot take it."""
    CHANNELS[notice.channel].deliver(notice)


def _after_commit(notices: list[Notice]) -> None:
    """Record a delivery row per notice in the caller's transaction, and enqueue their tasks once it commits."""
    if not notices:
        return
    give_up_at = timezone.now() + timedelta(hours=settings.NOTIFY_GIVE_UP_HOURS)
    queued = []
    for notice in notices:
        extra = dict(notice.extra)
        # The receipt's private link exists only in the task's arguments, never in a row of ours.
        tracking_url = extra.pop("tracking_url", "")
        row = NoticeDelivery.objects.create(
            ticket_id=notice.ticket_id,
            event=notice.event,
            channel=notice.channel,
            address=notice.address,
            language=notice.language,
            message_id=notice.message_id,
            extra=extra,
            give_up_at=give_up_at,
        )
        queued.append((row.pk, tracking_url))
    # robust: a queue that cannot take the task is logged, never turned into a failed request.
    transaction.on_commit(partial(_enqueue, queued), robust=True)


def _enqueue(queued: list[tuple[int, str]]) -> None:
    from tickets.tasks import notice_deliver

    for delivery_id, tracking_url in queued:
        notice_deliver.enqueue(delivery_id=delivery_id, **({"tracking_url": tracking_url} if tracking_url else {}))
