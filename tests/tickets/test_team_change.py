"""Moving tickets between teams after they arrived: an agent changes one ticket's team (the console's select
and the queue's bulk bar), and an administrator applies changed rules to the open tickets. Each move goes
through tickets.services.routing and is a TicketEvent (old → new team) on its ticket."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from infra.models import AuditEvent
from tests.agents.conftest import make_ticket
from tickets import selectors
from tickets.models import RoutingRule, Ticket, TicketEvent
from tickets.services.routing import (
    open_tickets_reroute,
    reroute_plan,
    routing_rule_save,
    team_save,
    ticket_team_set,
)

pytestmark = pytest.mark.django_db

Field = RoutingRule.Field


@pytest.fixture
def lakala(agent):
    return team_save(actor=agent, name="拉卡拉组", members=[agent])


@pytest.fixture
def shenzhen(agent):
    return team_save(actor=agent, name="深圳组", members=[agent])


def _team_events(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.TEAM).order_by("pk"))


def test_an_agent_moves_a_ticket_to_another_team_and_the_event_names_both(agent, lakala, shenzhen):
    ticket = make_ticket()
    ticket_team_set(ticket=ticket, agent=agent, team=lakala)
    before = Ticket.objects.get(pk=ticket.pk).updated_at
    ticket_team_set(ticket=ticket, agent=agent, team=shenzhen)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.team == shenzhen
    assert stored.updated_at > before  # the queue reads its rows anew
    last = _team_events(ticket)[-1]
    assert (last.old_value, last.new_value, last.actor, last.actor_kind) == (
        str(lakala.pk),
        str(shenzhen.pk),
        agent,
        "agent",
    )


def test_the_history_shows_the_change_with_the_team_names_translated(agent, lakala, shenzhen):
    ticket = make_ticket()
    ticket_team_set(ticket=ticket, agent=agent, team=lakala)
    ticket_team_set(ticket=ticket, agent=agent, team=None)
    events = [event for event in selectors.timeline(ticket) if event.kind == TicketEvent.Kind.TEAM]
    assert [(event.old_label, event.new_label) for event in events] == [("", "拉卡拉组"), ("拉卡拉组", "")]
    with translation.override("zh-hans"):
        assert events[0].get_kind_display() == "团队"
    with translation.override("en"):
        assert events[0].get_kind_display() == "Team"


def test_the_same_team_again_records_nothing(agent, lakala):
    ticket = make_ticket()
    ticket_team_set(ticket=ticket, agent=agent, team=lakala)
    ticket_team_set(ticket=ticket, agent=agent, team=lakala)
    assert len(_team_events(ticket)) == 1


def test_someone_who_may_only_read_tickets_cannot_move_one(agent, lakala):
    reader = get_user_model().objects.create_user("reader", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_ticket"))
    ticket = make_ticket()
    with pytest.raises(PermissionDenied):
        ticket_team_set(ticket=ticket, agent=reader, team=lakala)
    with pytest.raises(PermissionDenied):
        ticket_team_set(ticket=ticket, agent=None, team=lakala)
    assert Ticket.objects.get(pk=ticket.pk).team is None


# Changed rules applied to the tickets already open.


@pytest.fixture
def arrived(agent, lakala, shenzhen):
    """Tickets filed before any rule existed, one already moved by hand to Shenzhen, one closed."""
    plain = make_ticket(acquirer="拉卡拉支付")
    by_hand = make_ticket(acquirer="拉卡拉支付")
    ticket_team_set(ticket=by_hand, agent=agent, team=shenzhen)
    closed = make_ticket(acquirer="拉卡拉支付", status=Ticket.Status.CLOSED)
    other = make_ticket(acquirer="银联商务")
    routing_rule_save(actor=agent, team=lakala, field=Field.ACQUIRER, value="拉卡拉", position=10)
    return {"plain": plain, "by_hand": by_hand, "closed": closed, "other": other}


def _team_of(ticket):
    return Ticket.objects.get(pk=ticket.pk).team


def test_rules_applied_to_tickets_without_a_team_move_only_those(agent, lakala, shenzhen, arrived):
    moved = open_tickets_reroute(actor=agent, rules=list(RoutingRule.objects.all()))
    assert moved == 1
    assert _team_of(arrived["plain"]) == lakala
    assert _team_of(arrived["by_hand"]) == shenzhen  # had a team: left alone
    assert _team_of(arrived["closed"]) is None  # closed: never moved
    assert _team_of(arrived["other"]) is None  # no rule matches
    event = _team_events(arrived["plain"])[-1]
    assert (event.old_value, event.new_value, event.actor) == ("", str(lakala.pk), agent)
    record = AuditEvent.objects.get(model="tickets.ticket", object_id=str(arrived["plain"].pk))
    assert record.changes == {"team": ["", "拉卡拉组"]}


def test_rules_applied_to_every_open_ticket_move_those_in_another_team_too(agent, lakala, shenzhen, arrived):
    assert len(reroute_plan(rules=list(RoutingRule.objects.all()), only_without_team=False)) == 2
    moved = open_tickets_reroute(actor=agent, rules=list(RoutingRule.objects.all()), only_without_team=False)
    assert moved == 2
    assert _team_of(arrived["by_hand"]) == lakala
    event = _team_events(arrived["by_hand"])[-1]
    assert (event.old_value, event.new_value) == (str(shenzhen.pk), str(lakala.pk))
    assert _team_of(arrived["closed"]) is None


def test_applying_the_rules_twice_moves_nothing_the_second_time(agent, arrived):
    rules = list(RoutingRule.objects.all())
    open_tickets_reroute(actor=agent, rules=rules, only_without_team=False)
    events = TicketEvent.objects.filter(kind=TicketEvent.Kind.TEAM).count()
    assert open_tickets_reroute(actor=agent, rules=rules, only_without_team=False) == 0
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.TEAM).count() == events


def test_the_first_rule_by_position_wins(agent, lakala, shenzhen):
    ticket = make_ticket(acquirer="拉卡拉支付", location="广东省深圳市")
    routing_rule_save(actor=agent, team=lakala, field=Field.ACQUIRER, value="拉卡拉", position=20)
    routing_rule_save(actor=agent, team=shenzhen, field=Field.REGION, value="深圳", position=10)
    open_tickets_reroute(actor=agent, rules=list(RoutingRule.objects.all()))
    assert _team_of(ticket) == shenzhen


def test_an_editor_cannot_reroute(editor, arrived):
    with pytest.raises(PermissionDenied):
        open_tickets_reroute(actor=editor, rules=list(RoutingRule.objects.all()))
    assert _team_of(arrived["plain"]) is None


# The admin's action: a confirmation page first, then the service.


@pytest.fixture
def root_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "root-pass-123"))
    return client


def _action(client, **extra):
    data = {
        "action": "apply_to_open_tickets",
        "_selected_action": list(RoutingRule.objects.values_list("pk", flat=True)),
    }
    return client.post(reverse("admin:tickets_routingrule_changelist"), data | extra)


def test_the_admin_action_first_says_what_would_change_and_moves_nothing(root_client, arrived):
    response = _action(root_client)
    assert response.status_code == 200
    page = response.content.decode()
    assert "仅限没有团队的未结工单：1 个工单将转入团队。" in page
    assert "所有未结工单：2 个工单将更换团队" in page
    assert arrived["plain"].reference in page and arrived["by_hand"].reference in page
    assert arrived["closed"].reference not in page
    assert _team_of(arrived["plain"]) is None
    assert not TicketEvent.objects.filter(ticket=arrived["plain"], kind=TicketEvent.Kind.TEAM).exists()


@pytest.mark.parametrize(("scope", "moved"), [("without", 1), ("all", 2)])
def test_confirmed_the_admin_action_moves_the_tickets_through_the_service(root_client, lakala, arrived, scope, moved):
    response = _action(root_client, confirmed="yes", scope=scope)
    assert response.status_code == 302
    assert Ticket.objects.filter(team=lakala).count() == moved
    root = get_user_model().objects.get(username="root")
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.TEAM, actor=root).count() == moved
    assert AuditEvent.objects.filter(model="tickets.ticket", actor=root).count() == moved


def test_the_confirmation_page_speaks_chinese(root_client, arrived):
    from tests.admin_text import english_labels

    html = _action(root_client).content.decode()
    assert english_labels(html, data={str(rule) for rule in RoutingRule.objects.all()}) == []
