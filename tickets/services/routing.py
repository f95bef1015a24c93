"""Teams and the rules that route an arriving ticket to one: written here only (the admin included)."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from infra import generations
from infra.audit import Action, audit_record, values_of, values_stored
from tickets.access import require_ticket_writer
from tickets.models import ActorKind, RoutingRule, Team, Ticket, TicketEvent
from tickets.services.events import event_record

_TEAM_RECORDED = ("name",)
# Moved on whenever a team or its members change: what is kept about teams (the console's menus) is read anew.
TEAMS_GENERATION = "tickets:teams"
_RULE_RECORDED = ("team", "field", "value", "position")


def _matches(rule: RoutingRule, ticket: Ticket) -> bool:
    given = str(getattr(ticket, rule.field, "") or "").strip().casefold()
    wanted = rule.value.strip().casefold()
    if not given or not wanted:
        return False
    return given == wanted if rule.field == RoutingRule.Field.RESPONSE_CODE else wanted in given


def ticket_route(*, ticket: Ticket) -> Team | None:
    """Give an arriving ticket to the team of the first rule it matches, recorded as a system event.

    Runs inside the creating transaction (tickets/services/intake.py); a ticket no rule matches keeps no team.
    """
    rule = next((rule for rule in RoutingRule.objects.select_related("team") if _matches(rule, ticket)), None)
    if rule is None:
        return None
    ticket.team = rule.team
    ticket.save(update_fields=["team"])
    event_record(
        ticket=ticket, actor=None, actor_kind=ActorKind.SYSTEM, kind=TicketEvent.Kind.TEAM, new_value=str(rule.team_id)
    )
    return rule.team


@transaction.atomic
def team_save(*, actor, name: str, members: Iterable, team: Team | None = None) -> Team:
    """Create or rename a team and set who is in it; the audit record names each change."""
    require_ticket_writer(actor)
    name = name.strip()
    if not name:
        raise ValidationError(_("A team needs a name."))
    team = team if team is not None and team.pk else Team()
    before = values_stored(team, _TEAM_RECORDED) if team.pk else {}
    if before:
        before["members"] = ", ".join(sorted(user.get_username() for user in team.members.all()))
    team.name = name
    team.save()
    team.members.set(list(members))
    after = values_of(team, _TEAM_RECORDED)
    after["members"] = ", ".join(sorted(user.get_username() for user in team.members.all()))
    audit_record(
        actor=actor, action=Action.CHANGED if before else Action.CREATED, instance=team, before=before, after=after
    )
    generations.bump(TEAMS_GENERATION)
    return team


@transaction.atomic
def team_delete(*, actor, team: Team) -> None:
    """Remove a team with its rules; its tickets keep their history and belong to no team."""
    require_ticket_writer(actor)
    audit_record(actor=actor, action=Action.DELETED, instance=team, before=values_of(team, _TEAM_RECORDED))
    team.delete()
    generations.bump(TEAMS_GENERATION)


@transaction.atomic
def routing_rule_save(
    *, actor, team: Team, field: str, value: str, position: int = 100, rule: RoutingRule | None = None
) -> RoutingRule:
    """Create or change a rule; it applies to tickets arriving from now on."""
    require_ticket_writer(actor)
    value = value.strip()
    if field not in RoutingRule.Field.values:
        raise ValidationError(_("Choose what the rule looks at."))
    if not value:
        raise ValidationError(_("A rule needs a value to match."))
    rule = rule if rule is not None and rule.pk else RoutingRule()
    before = values_stored(rule, _RULE_RECORDED) if rule.pk else {}
    rule.team, rule.field, rule.value, rule.position = team, field, value, position
    rule.save()
    action = Action.CHANGED if before else Action.CREATED
    audit_record(actor=actor, action=action, instance=rule, before=before, after=values_of(rule, _RULE_RECORDED))
    return rule


@transaction.atomic
def routing_rule_delete(*, actor, rule: RoutingRule) -> None:
    require_ticket_writer(actor)
    audit_record(actor=actor, action=Action.DELETED, instance=rule, before=values_of(rule, _RULE_RECORDED))
    rule.delete()
