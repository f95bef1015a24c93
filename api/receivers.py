"""Ticket changes that become webhook events for the integrator that filed the ticket."""

from django.dispatch import receiver

from api.services import webhook_deliveries_record
from tickets.models import TicketEvent
from tickets.signals import ticket_event_recorded

# "ticket.created" is recorded by api_ticket_create itself, in the transaction that ties the ticket to its
# integrator (when the CREATED event is recorded, that tie does not exist yet).
EVENTS = {
    TicketEvent.Kind.REPLY: "ticket.replied",
    TicketEvent.Kind.STATUS: "ticket.status_changed",
}


@receiver(ticket_event_recorded, dispatch_uid="api-webhooks")
def ticket_event_to_webhook(sender, *, ticket_id: int, kind: str, message_id: int | None, internal: bool, **_kw):
    # Internal notes never leave the portal, whichever kind of event carries them.
    if internal or kind not in EVENTS:
        return
    status = None
    if kind == TicketEvent.Kind.STATUS:
        # The event is recorded before the ticket's row is saved: its new value is the status to announce.
        status = (
            TicketEvent.objects.filter(ticket_id=ticket_id, kind=kind)
            .order_by("-pk")
            .values_list("new_value", flat=True)
            .first()
        )
    webhook_deliveries_record(ticket_id=ticket_id, event=EVENTS[kind], message_id=message_id, status=status)
