"""What every ticket write shares: lock the row, and record the change as a TicketEvent."""

from django.contrib.auth.models import User

from tickets.access import Actor
from tickets.models import ActorKind, Ticket, TicketEvent, TicketMessage
from tickets.signals import ticket_event_recorded


def user_or_none(user: Actor | None) -> User | None:
    """The signed-in user behind a change, or None for an anonymous merchant or the system."""
    return user if isinstance(user, User) and user.pk else None


def locked(ticket: Ticket) -> Ticket:
    """The ticket's row, locked until the surrounding transaction ends; call inside transaction.atomic."""
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def event_record(
    *,
    ticket: Ticket,
    actor: Actor | None,
    actor_kind: ActorKind,
    kind: TicketEvent.Kind,
    old_value: str = "",
    new_value: str = "",
    message: TicketMessage | None = None,
) -> TicketEvent:
    event = TicketEvent.objects.create(
        ticket=ticket,
        actor=user_or_none(actor),
        actor_kind=actor_kind,
        kind=kind,
        old_value=old_value,
        new_value=new_value,
        message=message,
    )
    ticket_event_recorded.send(
        sender=TicketEvent,
        ticket_id=ticket.pk,
        kind=kind,
        message_id=message.pk if message is not None else None,
        internal=bool(message is not None and message.is_internal),
    )
    return event


def copy_back(target: Ticket, source: Ticket, names: tuple[str, ...]) -> None:
    """Give the caller's instance the values the service wrote through its locked copy."""
    for name in names:
        setattr(target, name, getattr(source, name))
