"""Bulk actions on the queue: one service call per selected ticket, each checked and recorded by the service."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agents.forms import NO_ASSIGNEE, NO_TEAM, BulkForm, team_posted
from tickets import services
from tickets.models import ActorKind, Ticket
from tickets.services.routing import ticket_team_set


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (reference, reason)

    def summary(self) -> str:
        parts = [ngettext("%(n)s ticket updated.", "%(n)s tickets updated.", len(self.done)) % {"n": len(self.done)}]
        if self.failures:
            reasons = "；".join(f"{reference}: {reason}" for reference, reason in self.failures)
            count = len(self.failures)
            parts.append(
                ngettext("%(n)s ticket not changed: %(reasons)s", "%(n)s tickets not changed: %(reasons)s", count)
                % {"n": count, "reasons": reasons}
            )
        return " ".join(parts)


def _assignee(user: User, value: str) -> User | None:
    if value == BulkForm.ME:
        return user
    if value == NO_ASSIGNEE:
        return None
    assignee = get_user_model().objects.filter(pk=int(value)).first()
    if assignee is None:
        raise ValidationError(_("Tickets can only be assigned to support agents."))
    return assignee


def _action(*, user: User, data: dict) -> Callable[[Ticket], Ticket]:
    """The service call the form asks for, as a function of one ticket."""
    action = data["action"]
    if action == BulkForm.ASSIGN:
        assignee = _assignee(user, data["assignee"])
        return lambda ticket: services.ticket_assign(ticket=ticket, agent=user, assignee=assignee)
    if action == BulkForm.STATUS:
        return lambda ticket: services.ticket_status_set(ticket=ticket, agent=user, status=data["status"])
    if action == BulkForm.TEAM:
        team = team_posted("" if data["team"] == NO_TEAM else data["team"])
        return lambda ticket: ticket_team_set(ticket=ticket, agent=user, team=team)
    if action == BulkForm.PRIORITY:
        return lambda ticket: services.ticket_priority_set(ticket=ticket, agent=user, priority=data["priority"])
    return lambda ticket: services.ticket_close(ticket=ticket, actor=user, actor_kind=ActorKind.AGENT)


def _reason(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, PermissionDenied):
        return _("you may not change tickets")
    return " ".join(error.messages)


def bulk_apply(*, user: User, data: dict) -> BulkResult:
    """Apply the action to each ticket on its own: one refusal does not undo or stop the others."""
    result = BulkResult()
    try:
        apply = _action(user=user, data=data)
    except ValidationError as error:
        result.failures.append(("—", _reason(error)))
        return result
    tickets = {ticket.pk: ticket for ticket in Ticket.objects.filter(pk__in=data["ids"])}
    for pk in data["ids"]:
        ticket = tickets.get(pk)
        if ticket is None:
            result.failures.append((f"#{pk}", _("no such ticket")))
            continue
        try:
            apply(ticket)
        except (ValidationError, PermissionDenied) as error:
            result.failures.append((ticket.reference, _reason(error)))
        else:
            result.done.append(ticket.reference)
    return result
