"""Time targets on tickets: the policy (targets, calendar, holidays) and the due times stored on each ticket.

The arithmetic is in tickets/sla.py; this module loads the policy, feeds it the ticket's history and writes
the result. The policy itself is changed by the services in tickets/services/policy.py.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from tickets import sla
from tickets.models import (
    BreachWarning,
    BusinessCalendar,
    ServiceTarget,
    Ticket,
    TicketEvent,
)

Status = Ticket.Status
# The clock stops while the merchant has the ticket, and while it sits resolved or closed.
PAUSED = (Status.WAITING_ON_MERCHANT, Status.RESOLVED, Status.CLOSED)
# (first response, resolution) when the admin has not set a priority's target: the migration's defaults.
DEFAULT_TARGETS: dict[str, tuple[timedelta, timedelta]] = {
    Ticket.Priority.URGENT: (timedelta(minutes=30), timedelta(hours=4)),
    Ticket.Priority.HIGH: (timedelta(hours=1), timedelta(hours=8)),
    Ticket.Priority.NORMAL: (timedelta(hours=4), timedelta(hours=24)),
    Ticket.Priority.LOW: (timedelta(hours=8), timedelta(hours=48)),
}


def calendar_load() -> sla.Calendar:
    """The calendar in use (the first one), or the default every-day 09:00–21:00 Shanghai calendar."""
    row = BusinessCalendar.objects.order_by("pk").first()
    if row is None:
        return sla.default_calendar()
    hours = {item.weekday: (item.opens, item.closes) for item in row.hours.all()}
    holidays = frozenset(row.holidays.values_list("date", flat=True))
    return sla.Calendar(zone=ZoneInfo(row.timezone), hours=hours, holidays=holidays)


def targets_for(priority: str) -> tuple[timedelta, timedelta]:
    row = ServiceTarget.objects.filter(priority=priority).first()
    if row is None:
        return DEFAULT_TARGETS[priority]
    return timedelta(minutes=row.first_response_minutes), timedelta(hours=row.resolution_hours)


def due_times_apply(*, ticket: Ticket, now: datetime) -> list[str]:
    """Re-compute a locked ticket's due times from its creation, priority and pauses; return changed fields.

    Call after the change (status, priority) has been applied and its event recorded. A due time that is
    behind the ticket — answered, or resolved — stays as it was, for the record.
    """
    calendar = calendar_load()
    first, resolution = targets_for(ticket.priority)
    changes = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.STATUS).order_by("created_at", "pk")
    history = [(event.created_at, event.old_value, event.new_value) for event in changes]
    pauses = sla.pauses_from(history, paused_statuses=PAUSED, now=now)
    changed = []
    if ticket.first_responded_at is None:
        due = sla.due_at(created_at=ticket.created_at, target=first, calendar=calendar, pauses=pauses)
        changed += _set(ticket, "first_response_due", due)
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        due = sla.due_at(created_at=ticket.created_at, target=resolution, calendar=calendar, pauses=pauses)
        changed += _set(ticket, "resolution_due", due)
    return changed


def _set(ticket: Ticket, name: str, value: datetime) -> list[str]:
    if getattr(ticket, name) == value:
        return []
    setattr(ticket, name, value)
    return [name]


# --- Warnings before a due time -------------------------------------------------------------------


def tickets_breach_warn(*, now: datetime, within: timedelta) -> int:
    """Warn agents about every running ticket whose next due time is within `within` (or past).

    Each ticket is warned once per target and due time: a BreachWarning row records it, so running the
    check every few minutes never repeats a warning, and a due time moved by a pause is warned about again.
    """
    from tickets import notifications
    from tickets.services.dispatch import notices_enqueue

    running = Ticket.objects.filter(status__in=(Status.NEW, Status.OPEN), waiting_since__isnull=True)
    horizon = now + within
    candidates = [
        (ticket, BreachWarning.Target.FIRST_RESPONSE, ticket.first_response_due)
        for ticket in running.filter(first_responded_at__isnull=True, first_response_due__lte=horizon)
    ]
    candidates += [
        (ticket, BreachWarning.Target.RESOLUTION, ticket.resolution_due)
        for ticket in running.filter(resolution_due__lte=horizon).select_related("assignee")
    ]
    warned = 0
    for ticket, target, due in candidates:
        if due is None:  # filtered out by the queries above; said again for the type checker
            continue
        with transaction.atomic():
            _row, created = BreachWarning.objects.get_or_create(ticket=ticket, target=target, due=due)
            if created:
                notices_enqueue(notices=notifications.ticket_breach_near(ticket, target, due))
                warned += 1
    return warned
