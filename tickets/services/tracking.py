"""The merchant's private tracking link."""

import secrets

from django.db import transaction

from tickets.access import hash_token
from tickets.models import Ticket


def ticket_tracking_token_renew(*, ticket: Ticket) -> str:
    """A fresh tracking token for the ticket ("Find my request"); the old link stops working.

    Only the hash is stored, so a lost link cannot be sent again: it is replaced. Not a TicketEvent: the
    ticket itself does not change, and the token must never appear in its history.
    """
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(access_token_hash=hash_token(token))
    ticket.access_token_hash = hash_token(token)
    return token
