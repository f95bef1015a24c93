"""The merchant's private tracking links: the receipt's, those "Find my ticket" sends, the one each
notification carries, and stopping them all from the tracking page."""

import base64
import hmac
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from infra import mail
from tickets.access import TOKEN_PREFIX, Actor, hash_token
from tickets.models import ActorKind, Ticket, TicketEvent, TrackingLink
from tickets.services.events import event_record, locked

_SALT = "tickets.tracking-link"
# An SMS holds 70 characters, the link included: its links carry a shorter token (120 bits of the HMAC, still
# far past guessing) on the site's short address, /t/<token>.
SHORT_TOKEN_BYTES = 15


def _token(nonce: str, *, short: bool = False) -> str:
    # 32 bytes of HMAC, URL-safe: the same shape as the receipt's random token (tickets/urls.py).
    digest = salted_hmac(_SALT, nonce, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:SHORT_TOKEN_BYTES] if short else digest).decode().rstrip("=")


def _new_link(ticket: Ticket, origin: str, *, short: bool = False) -> str:
    nonce = secrets.token_hex(16)
    token = _token(nonce, short=short)
    TrackingLink.objects.create(ticket=ticket, token_hash=hash_token(token), nonce=nonce, origin=origin)
    return token


def ticket_tracking_link_add(*, ticket: Ticket, origin: str = TrackingLink.Origin.FIND, short: bool = False) -> str:
    """A further tracking link for the ticket ("Find my ticket", an SMS); every link already sent keeps working.

    Not a TicketEvent: the ticket itself does not change, and a token must never appear in its history.
    """
    with transaction.atomic():
        return _new_link(ticket, origin, short=short)


def tracking_link_current(*, ticket: Ticket) -> str:
    """The token a notification carries: the newest live link that can be rebuilt, or a new one.

    So one link serves every notification after the receipt, and after the merchant stopped the links, the
    one they were given then. A link whose HMAC no longer matches (SECRET_KEY changed) is skipped, not lost:
    its holder's copy still works through its stored hash.
    """
    with transaction.atomic():
        links = TrackingLink.objects.filter(ticket=ticket, revoked_at=None).exclude(nonce="")
        for link in links.order_by("-created_at", "-pk")[:5]:
            token = _token(link.nonce)
            if hmac.compare_digest(hash_token(token), link.token_hash):
                return token
        return _new_link(ticket, TrackingLink.Origin.NOTICE)


def ticket_tracking_links_revoke(*, ticket: Ticket, actor: Actor | None) -> str:
    """Every link to the ticket stops working and says so when opened; returns the one new link.

    Only on the merchant's own request, from the tracking page (a link they fear was seen by others).
    The receipt's link is kept as a stopped row too, so it shows "replaced" rather than nothing.
    """
    now = timezone.now()
    with transaction.atomic():
        row = locked(ticket)
        live = TrackingLink.objects.filter(ticket=row, revoked_at=None)
        count = live.update(revoked_at=now)
        _receipt, created = TrackingLink.objects.get_or_create(
            token_hash=row.access_token_hash,
            defaults={"ticket": row, "origin": TrackingLink.Origin.RECEIPT, "revoked_at": now},
        )
        count += int(created)
        token = _new_link(row, TrackingLink.Origin.RENEWED)
        # Read in the timeline as "links stopped: 3 → 1" (the links that stopped, the one new link).
        event_record(
            ticket=row,
            actor=actor,
            actor_kind=ActorKind.MERCHANT,
            kind=TicketEvent.Kind.LINKS,
            old_value=str(count),
            new_value="1",
        )
    return token


def tracking_url(token: str, *, short: bool = False) -> str:
    """The absolute address of a tracking link, on SITE_URL; `short` for an SMS (/t/<token>, redirected)."""
    if short:
        return mail.site_link(reverse("tracking_short", kwargs={"token": token}))
    return mail.site_link(reverse("tickets:detail", kwargs={"key": TOKEN_PREFIX + token}))
