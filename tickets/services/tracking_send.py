"""Support sends the merchant a fresh tracking link from the ticket page.

Its own module: it notifies through tickets.notifications, and tracking.py is imported by the notice delivery
(notices.py), so writing it there would close one more import circle."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from infra import mail
from tickets import notifications
from tickets.access import TOKEN_PREFIX, require_ticket_writer
from tickets.models import ActorKind, Ticket, TicketEvent
from tickets.services.dispatch import notices_enqueue
from tickets.services.events import event_record
from tickets.services.tracking import ticket_tracking_link_add


def ticket_tracking_link_send(*, ticket: Ticket, agent) -> list[str]:
    """Support sends the merchant a further tracking link (to the email or phone on the ticket) through the
    notification channels; every link already sent keeps working. Returns the channels it went through.

    The token travels only in the delivery task's arguments; the event records the channels, never the link.
    """
    require_ticket_writer(agent)
    with transaction.atomic():
        token = ticket_tracking_link_add(ticket=ticket)
        url = mail.site_link(reverse("tickets:detail", kwargs={"key": TOKEN_PREFIX + token}))
        notices = notifications.ticket_tracking_link_sent(ticket, url)
        if not notices:
            # Rolls the new link back: nobody could receive it.
            raise ValidationError(_("The ticket has no email address or phone number the link could be sent to."))
        notices_enqueue(notices=notices)
        channels = [notice.channel for notice in notices]
        event_record(
            ticket=ticket,
            actor=agent,
            actor_kind=ActorKind.AGENT,
            kind=TicketEvent.Kind.LINK_SENT,
            new_value=",".join(channels),
        )
    return channels
