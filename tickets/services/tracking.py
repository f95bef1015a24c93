"""The merchant's private tracking links: the one from the receipt, more sent by "Find my ticket"."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from portal import mail
from tickets import notifications
from tickets.access import TOKEN_PREFIX, hash_token, require_ticket_writer
from tickets.models import ActorKind, Ticket, TicketEvent, TrackingLink
from tickets.services.events import event_record

# Links "Find my ticket" may add beside the receipt's; older ones stop working past this, so a flood of
# requests cannot pile up live links (the receipt's link is never one of them).
MAX_EXTRA_LINKS = 5


def ticket_tracking_link_add(*, ticket: Ticket) -> str:
    """A further tracking link for the ticket ("Find my ticket"); every link already sent keeps working.

    Only hashes are stored, so a lost link cannot be sent again: a new one is added. Not a TicketEvent:
    the ticket itself does not change, and a token must never appear in its history.
    """
    token = secrets.token_urlsafe(32)
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


def ticket_tracking_link_send(*, ticket: Ticket, agent) -> list[str]:
    """Support sends the merchant a further tracking link (to the email or phone on the ticket) through the
    notification channels; every link already sent keeps working. Returns the channels it went through.

    The token travels only in the delivery task's arguments; the event records the channels, never the link.
    """
    require_ticket_writer(agent)
    with transaction.atomic():
        token = ticket_tracking_link_add(ticket=ticket)
        url = mail.site_link(reverse("tickets:detail", kwargs={"key": TOKEN_PREFIX + token}))
        channels = notifications.ticket_tracking_link_sent(ticket, url)
        if not channels:
            # Rolls the new link back: nobody could receive it.
            raise ValidationError(_("The ticket has no email address or phone number the link could be sent to."))
        event_record(
            ticket=ticket,
            actor=agent,
            actor_kind=ActorKind.AGENT,
            kind=TicketEvent.Kind.LINK_SENT,
            new_value=",".join(channels),
        )
    return channels
