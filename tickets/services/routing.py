"""Teams and the rules that route an arriving ticket to one, and moves of tickets between teams afterwards
(an agent's, or the rules applied again to the open tickets): written here only (the admin included)."""

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from infra import generations
from infra.audit import Action, audit_record, values_of, values_stored
from tickets.access import Actor, require_ticket_writer
from tickets.models import ActorKind, RoutingRule, Team, Ticket, TicketEvent
from tickets.selectors import STILL_OPEN
from tickets.services.events import copy_back, event_record, locked

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


def _first_match(rules: Iterable[RoutingRule], ticket: Ticket) -> RoutingRule | None:
    return next((rule for rule in rules if _matches(rule, ticket)), None)


def ticket_route(*, ticket: Ticket) -> Team | None:
    """Give an arriving ticket to the team of the first rule it matches, recorded as a system event.

    Runs inside the creating transaction (tickets/services/intake.py); a ticket no rule matches keeps no team.
    """
    rule = _first_match(RoutingRule.objects.select_related("team"), ticket)
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


def _team_change(*, row: Ticket, actor: Actor, team: Team | None) -> None:
    """On a locked row: the TicketEvent (old → new team ids) and the write; the caller checked it changes."""
    event_record(
        ticket=row,
        actor=actor,
        actor_kind=ActorKind.AGENT,
        kind=TicketEvent.Kind.TEAM,
        old_value=str(row.team_id or ""),
        new_value=str(team.pk if team is not None else ""),
    )
    row.team = team
    # updated_at moves too: the queue reads its rows and counts anew after any write.
    row.save(update_fields=["team", "updated_at"])


def ticket_team_set(*, ticket: Ticket, agent: Actor, team: Team | None) -> Ticket:
    """Give the ticket to another team, or to none (team=None): gated like assignment, recorded as an event."""
    require_ticket_writer(agent)
    new_id = team.pk if team is not None else None
    with transaction.atomic():
        row = locked(ticket)
        if row.team_id != new_id:
            _team_change(row=row, actor=agent, team=team)
    copy_back(ticket, row, ("team_id", "updated_at"))
    return ticket


def reroute_plan(*, rules: Sequence[RoutingRule], only_without_team: bool = True) -> list[tuple[Ticket, Team]]:
    """What applying `rules` (first match wins, by position) to the open tickets would change: each ticket
    with the team it would go to. A ticket no rule matches keeps its team; so does one already there. Read
    only: the admin shows it before anything is written."""
    rules = sorted(rules, key=lambda rule: (rule.position, rule.pk))
    # What an agent still works on: never a resolved, closed or merged ticket.
    tickets = Ticket.objects.filter(status__in=STILL_OPEN, merged_into__isnull=True)
    if only_without_team:
        tickets = tickets.filter(team__isnull=True)
    fields = sorted({rule.field for rule in rules})
    plan = []
    for ticket in tickets.order_by("pk").only("reference", "team", *fields).iterator(chunk_size=1000):
        rule = _first_match(rules, ticket)
        if rule is not None and rule.team_id != ticket.team_id:
            plan.append((ticket, rule.team))
    return plan


@transaction.atomic
def open_tickets_reroute(*, actor: Actor, rules: Sequence[RoutingRule], only_without_team: bool = True) -> int:
    """Apply the rules to the open tickets (only those without a team, or all of them): each move is a
    TicketEvent on its ticket and an audit record naming who ran it. Returns how many tickets moved."""
    require_ticket_writer(actor)
    moved = 0
    for ticket, team in reroute_plan(rules=rules, only_without_team=only_without_team):
        row = locked(ticket)
        # Changed since the plan was read (an agent moved it by hand): the agent's choice stands.
        if row.team_id != ticket.team_id:
            continue
        before = {"team": str(row.team or "")}
        _team_change(row=row, actor=actor, team=team)
        audit_record(actor=actor, action=Action.CHANGED, instance=row, before=before, after={"team": team.name})
        moved += 1
    return moved
