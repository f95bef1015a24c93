"""The access gates for tickets and their files, used by every view (and later the console and the API).

Anyone who may not see a ticket gets 404, never 403, so references cannot be probed.
"""

import hashlib
import hmac
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from tickets.models import Attachment, Ticket, TicketEvent, TrackingLink

TOKEN_PREFIX = "t/"  # noqa: S105 (the path prefix of tracking links, not a secret)
REFERENCE = re.compile(r"^POS-\d{4}-\d{6,}$")
# Whoever acts: a signed-in user (merchant or staff) or an anonymous visitor (a tracking link's holder).
type Actor = User | AnonymousUser


class LinkGone(Http404):
    """A tracking link that worked once and no longer does: "replaced" (the merchant stopped it) or
    "expired" (its ticket closed long ago). Still a 404 wherever it is not caught; the tracking pages say
    which, with the Find form (tickets/views/find.py). An unknown token is a plain 404 and says nothing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_agent(user: Actor) -> bool:
    """Support staff who may read every ticket (the queue, the admin, every attachment)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.has_perm("tickets.view_ticket")
    )


def may_change_tickets(user: Actor) -> bool:
    """An agent who may also write: reading a ticket is not enough to answer, assign or close it."""
    return is_agent(user) and user.has_perm("tickets.change_ticket")


def may_erase_tickets(user: Actor) -> bool:
    """Erasing a ticket for a data-protection request is an administrator's act, never an agent's."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.has_perm("tickets.erase_ticket")
    )


def require_ticket_writer(user: Actor | None) -> None:
    """The write gate every agent-side service runs first (None: the system or nobody, never a writer)."""
    if user is None or not may_change_tickets(user):
        raise PermissionDenied


def ticket_for(*, user: Actor, key: str) -> Ticket:
    """The merchant's gate: the ticket behind a tracking link or the signed-in owner's reference.

    `key` is "t/<token>" (whoever holds a private link, the receipt's or one sent since, may see the
    ticket) or a reference such as POS-2026-000123 (only its signed-in owner). Agents work tickets
    elsewhere; here they are outsiders unless the ticket is their own. A ticket merged into another stays
    itself here, never the survivor: the survivor may be someone else's request (anyone can file a ticket
    under a MID printed on a receipt).
    """
    if key.startswith(TOKEN_PREFIX):
        return _ticket_by_link(hash_token(key[len(TOKEN_PREFIX) :]))
    if REFERENCE.match(key) and user.is_authenticated:
        ticket = Ticket.objects.filter(reference=key, requester=user).first()
        if ticket is not None:
            return ticket
    raise Http404


def _ticket_by_link(digest: str) -> Ticket:
    # The links table first: it also holds the receipt's link once the merchant has stopped it.
    link = TrackingLink.objects.select_related("ticket").filter(token_hash=digest).first()
    ticket: Ticket | None
    if link is not None and hmac.compare_digest(link.token_hash, digest):
        if link.revoked_at is not None:
            raise LinkGone("replaced")
        ticket = link.ticket
    else:
        ticket = Ticket.objects.filter(access_token_hash=digest).first()
        if ticket is None or not hmac.compare_digest(ticket.access_token_hash, digest):
            raise Http404
    if links_expired(ticket):
        raise LinkGone("expired")
    return ticket


def links_expired(ticket: Ticket) -> bool:
    """Whether the ticket has been closed longer than TRACKING_LINK_RETENTION_DAYS: its links no longer open it."""
    if not ticket.is_closed:
        return False
    closed = (
        TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.STATUS, new_value=Ticket.Status.CLOSED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    ) or ticket.updated_at
    return closed < timezone.now() - timedelta(days=settings.TRACKING_LINK_RETENTION_DAYS)


def agent_ticket_for(*, user: Actor, reference: str, related: tuple[str, ...] = ()) -> Ticket:
    """The agents' gate: any ticket by its reference, for staff with the ticket permission.

    `related` names the relations a page shows, joined in the same query."""
    if not is_agent(user) or not REFERENCE.match(reference):
        raise Http404
    tickets = Ticket.objects.select_related(*related) if related else Ticket.objects.all()
    ticket = tickets.filter(reference=reference).first()
    if ticket is None:
        raise Http404
    return ticket


def attachment_for(*, user: Actor, key: str, pk: int) -> Attachment:
    """A file of a ticket: merchants get the files of their conversation (never of an internal note);
    agents get every file by the ticket's reference, which is where the admin links them."""
    attachment = None
    try:
        ticket = ticket_for(user=user, key=key)
        attachment = Attachment.objects.merchant_visible().filter(ticket=ticket, pk=pk).first()
    except Http404:
        if not is_agent(user):
            raise
    if attachment is None and is_agent(user):
        attachment = Attachment.objects.filter(ticket=agent_ticket_for(user=user, reference=key), pk=pk).first()
    if attachment is None:
        raise Http404
    return attachment
