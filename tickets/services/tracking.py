"""The merchant's private tracking links: the one from the receipt, more sent by "Find my ticket"."""

import secrets

from django.db import transaction
from django.urls import reverse

from portal import mail
from tickets.access import TOKEN_PREFIX, hash_token
from tickets.models import Ticket, TrackingLink

# Links "Find my ticket" may add beside the receipt's; older ones stop working past this, so a flood of
# requests cannot pile up live links (the receipt's link is never one of them).
MAX_EXTRA_LINKS = 5
# An SMS holds 70 characters, the link included: its links carry a shorter token (120 random bits, still
# far past guessing) on the site's short address, /t/<token>.
SHORT_TOKEN_BYTES = 15


def ticket_tracking_link_add(*, ticket: Ticket, short: bool = False) -> str:
    """A further tracking link for the ticket ("Find my ticket"); every link already sent keeps working.

    Only hashes are stored, so a lost link cannot be sent again: a new one is added. Not a TicketEvent:
    the ticket itself does not change, and a token must never appear in its history.
    """
    token = secrets.token_urlsafe(SHORT_TOKEN_BYTES if short else 32)
    with transaction.atomic():
        TrackingLink.objects.create(ticket=ticket, token_hash=hash_token(token))
        stale = TrackingLink.objects.filter(ticket=ticket).order_by("-created_at", "-pk")[MAX_EXTRA_LINKS:]
        TrackingLink.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    return token


def ticket_tracking_links_revoke(*, ticket: Ticket) -> str:
    """Every link to the ticket stops working; returns the one new link that replaces them.

    Only on the merchant's own request, from the tracking page (a link they fear was seen by others).
    """
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        TrackingLink.objects.filter(ticket=ticket).delete()
        Ticket.objects.filter(pk=ticket.pk).update(access_token_hash=hash_token(token))
    ticket.access_token_hash = hash_token(token)
    return token


def tracking_url(token: str, *, short: bool = False) -> str:
    """The absolute address of a tracking link, on SITE_URL; `short` for an SMS (/t/<token>, redirected)."""
    if short:
        return mail.site_link(reverse("tracking_short", kwargs={"token": token}))
    return mail.site_link(reverse("tickets:detail", kwargs={"key": TOKEN_PREFIX + token}))
