"""Who is told what, and through which channel: the one place that decides.

The ticket services call the `ticket_*` functions below inside their transaction: each only decides who is
told what and returns the notices. The service hands them to tickets/services/dispatch.py, which records a
NoticeDelivery row per notice in the same transaction and enqueues a delivery task per row once it commits
(tickets/tasks.py runs tickets/services/notices.py, which calls `deliver` here), so nothing is sent for a
change that rolled back, no request waits for a mail server, and a notice is sent once however often its
task runs. This module imports neither the services nor the tasks: the arrows point services → notifications
→ infrastructure (infra/mail.py).

Merchants hear about a public reply, a request for their action (waiting on them) and the resolution —
by email when they gave one, else by SMS to their mobile number (when SMS is on), each SMS with a fresh
short tracking link that tickets/services/dispatch.py adds. Agents hear about a new unassigned ticket
(every agent), a merchant's reply (the assignee) and a ticket about to breach (the assignee, or every
agent when nobody has it).
Internal notes are never a reason to tell a merchant, and no email shows any message body but a public one.
A new channel (WeChat) is another Channel in CHANNELS and one more address in `_merchant`.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from infra import mail, sms
from tickets import replyto
from tickets.models import Ticket, TicketMessage

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
    LINK_SENT = "tracking_link_sent"  # support sent a fresh link from the ticket page
    TRACKING_LINK = "tracking_link"  # after "Find my request" by phone, the new link to keep
    FIND_CODE = "find_code"  # the one-time code of "Find my request" by phone


MERCHANT_EVENTS = {
    Event.RECEIPT,
    Event.AGENT_REPLY,
    Event.WAITING,
    Event.RESOLVED,
    Event.LINK_SENT,
    Event.TRACKING_LINK,
    Event.FIND_CODE,
}
# What an agent reads when a merchant's notification could not be delivered.
EVENT_LABELS = {
    Event.RECEIPT: _("the receipt with the tracking link"),
    Event.AGENT_REPLY: _("a reply from support"),
    Event.WAITING: _("the request to answer"),
    Event.RESOLVED: _("the resolution"),
    Event.NEW_TICKET: _("a new ticket"),
    Event.MERCHANT_REPLY: _("the merchant's reply"),
    Event.BREACH: _("a due time warning"),
    Event.LINK_SENT: _("a new tracking link"),
    Event.TRACKING_LINK: _("a new tracking link"),
    Event.FIND_CODE: _("a code to find the request"),
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


class SmsChannel:
    name = "sms"

    def deliver(self, notice: Notice) -> None:
        """Send the SMS (no message body: only the link, or the code); raises when the provider cannot take it."""
        if notice.event == Event.FIND_CODE:
            params = {"code": notice.extra.get("code", "")}
        else:
            params = {"link": notice.extra.get("tracking_url", "")}
        if not all(params.values()):
            # The link or code travels only in the task's arguments; without it there is nothing to send.
            raise sms.SmsError(f"No {', '.join(params)} to send for {notice.event}")
        # A link support sent from the ticket page reads like the one after a find: one registered template.
        kind = Event.TRACKING_LINK if notice.event == Event.LINK_SENT else notice.event
        with translation.override(notice.language):
            sms.send_templated(kind=kind, params=params, to=notice.address)


CHANNELS = {"email": EmailChannel(), "sms": SmsChannel()}


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
    """By email when the merchant gave one, else by SMS to their mobile number (when SMS is on)."""
    if ticket.email:
        channel, address = "email", ticket.email
    elif ticket.phone and sms.enabled():
        channel, address = "sms", ticket.phone
    else:
        return []
    return [
        Notice(event=event, ticket_id=ticket.pk, channel=channel, address=address, language=ticket.language, **values)
    ]


def merchant_sms(ticket: Ticket, event: str, **values) -> list[Notice]:
    """An SMS to the ticket's mobile number whatever else it has ("Find my request" by phone), if SMS is on."""
    if not (ticket.phone and sms.enabled()):
        return []
    notice = Notice(
        event=event, ticket_id=ticket.pk, channel="sms", address=ticket.phone, language=ticket.language, **values
    )
    return [notice]


def _agent_language(user) -> str:
    # The agent's own choice (agents.AgentPreference, read by its relation name: tickets imports no agents),
    # else the console's default language.
    preference = getattr(user, "agent_preference", None)
    return getattr(preference, "language", "") or settings.LANGUAGE_CODE


def _agents(ticket: Ticket, event: str, users, **values) -> list[Notice]:
    return [
        Notice(
            event=event, ticket_id=ticket.pk, channel="email", address=u.email, language=_agent_language(u), **values
        )
        for u in users
        if u.email and u.is_active
    ]


def _all_agents():
    agents = get_user_model().objects.filter(groups__name=AGENTS_GROUP, is_active=True).exclude(email="")
    return agents.select_related("agent_preference").distinct()


def _team_or_everyone(ticket: Ticket):
    """Who hears of an unassigned ticket: its team's agents when it was routed to a team that has any (an
    acquirer's team does not want every other team's mail), else every agent, so nothing goes unheard."""
    if ticket.team_id:
        members = list(_all_agents().filter(support_teams=ticket.team_id))
        if members:
            return members
    return list(_all_agents())


def _assignee_or_team(ticket: Ticket):
    return [ticket.assignee] if ticket.assignee_id else _team_or_everyone(ticket)


# --- What the services call: each returns the notices, for tickets/services/dispatch.py to send ---------


def ticket_created(ticket: Ticket, tracking_url: str = "") -> list[Notice]:
    # The receipt carries the private link, which exists only now: without it there is no receipt.
    notices = _merchant(ticket, Event.RECEIPT, extra={"tracking_url": tracking_url}) if tracking_url else []
    if ticket.assignee_id is None:
        notices += _agents(ticket, Event.NEW_TICKET, _team_or_everyone(ticket))
    return notices


def ticket_replied(ticket: Ticket, message: TicketMessage) -> list[Notice]:
    """A message was added: a public agent reply tells the merchant, a merchant reply tells the assignee."""
    if message.is_internal:
        return []
    if message.author_role == TicketMessage.Role.AGENT:
        return _merchant(ticket, Event.AGENT_REPLY, message_id=message.pk)
    if message.author_role == TicketMessage.Role.MERCHANT and ticket.assignee_id:
        return _agents(ticket, Event.MERCHANT_REPLY, [ticket.assignee], message_id=message.pk)
    return []


def ticket_status_changed(ticket: Ticket, old: str, new: str) -> list[Notice]:
    """An agent changed the status without a reply: tell the merchant when it needs them or is done."""
    events = {Ticket.Status.WAITING_ON_MERCHANT: Event.WAITING, Ticket.Status.RESOLVED: Event.RESOLVED}
    if old != new and new in events:
        return _merchant(ticket, events[new])
    return []


def ticket_tracking_link_sent(ticket: Ticket, tracking_url: str) -> list[Notice]:
    """Support sends a fresh tracking link (none: the ticket has no address it could go to). The link is a
    private value: the task carries it, the delivery row never stores it (services/notices.py)."""
    return _merchant(ticket, Event.LINK_SENT, extra={"tracking_url": tracking_url})


def ticket_breach_near(ticket: Ticket, target: str, due) -> list[Notice]:
    extra = {"target": target, "due": due.isoformat()}
    return _agents(ticket, Event.BREACH, _assignee_or_team(ticket), extra=extra)


def deliver(notice: Notice) -> None:
    """Send one notice through its channel; raises when the channel cannot take it."""
    CHANNELS[notice.channel].deliver(notice)
