"""What other apps may follow without tickets importing them: each recorded change to a ticket.

Sent inside the writing transaction (receivers that act outside the database use transaction.on_commit), with
`ticket_id`, `kind` (a TicketEvent.Kind value), `message_id` (or None) and `internal` (an internal note).
"""

from django.dispatch import Signal

ticket_event_recorded = Signal()
