"""The console's own writes: what an agent has seen. Changes to tickets go through tickets.services."""

from datetime import datetime

from django.utils import timezone

from agents.models import TicketSeen
from agents.queue_cache import seen_generation_key
from portal import generations


def ticket_seen_record(*, agent, ticket, now: datetime | None = None) -> None:
    """Mark every message the ticket has now as seen by this agent: one upsert, cheap enough for each GET.

    Not a TicketEvent: opening a ticket changes nothing on it, and a history entry per visit would bury
    the changes that matter.
    """
    TicketSeen.objects.bulk_create(
        [TicketSeen(agent=agent, ticket=ticket, seen_at=now or timezone.now())],
        update_conflicts=True,
        unique_fields=["agent", "ticket"],
        update_fields=["seen_at"],
    )
    # The queue's unread counts kept for this agent are stale now.
    generations.bump(seen_generation_key(agent.pk))
