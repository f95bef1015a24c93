"""Teams and routing: a ticket arriving is given to the team of the first rule it matches, recorded as an
event; teams and rules are written through the services, from the admin too."""

import pytest
from django.urls import reverse

from infra.models import AuditEvent
from tests.agents.conftest import make_ticket
from tickets.models import RoutingRule, Team, TicketEvent
from tickets.services.routing import routing_rule_save, team_save

pytestmark = pytest.mark.django_db

Field = RoutingRule.Field


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def colleague(agent):
    from django.contrib.auth import get_user_model

    other = get_user_model().objects.create_user(username="colleague", password="colleague-pass-123", is_staff=True)
    other.groups.set(agent.groups.all())
    return other


@pytest.fixture
def lakala(agent):
    team = team_save(actor=agent, name="拉卡拉组", members=[agent])
    routing_rule_save(actor=agent, team=team, field=Field.ACQUIRER, value="拉卡拉", position=10)
    return team


def test_a_ticket_from_the_rules_acquirer_goes_to_its_team_with_an_event(lakala):
    ticket = make_ticket(acquirer="拉卡拉支付")
    ticket.refresh_from_db()
    assert ticket.team == lakala
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.TEAM)
    assert event.actor_kind == "system"
    assert event.new_value == str(lakala.pk)


def test_a_ticket_no_rule_matches_has_no_team(lakala):
    ticket = make_ticket(acquirer="银联商务")
    ticket.refresh_from_db()
    assert ticket.team is None
    assert not TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.TEAM).exists()


@pytest.mark.parametrize(
    ("field", "value", "details"),
    [
        (Field.RESPONSE_CODE, "a0", {"response_code": "A0"}),
        (Field.TERMINAL_MODEL, "VX520", {"terminal_model": "Verifone vx520 C"}),
        (Field.REGION, "深圳", {"location": "广东省深圳市南山区"}),
    ],
)
def test_rules_match_a_response_code_a_terminal_model_and_a_region(agent, field, value, details):
    team = team_save(actor=agent, name="组", members=[])
    routing_rule_save(actor=agent, team=team, field=field, value=value)
    ticket = make_ticket(**details)
    ticket.refresh_from_db()
    assert ticket.team == team


def test_a_response_code_rule_matches_the_whole_code_only(agent):
    team = team_save(actor=agent, name="组", members=[])
    routing_rule_save(actor=agent, team=team, field=Field.RESPONSE_CODE, value="5")
    ticket = make_ticket(response_code="05")
    ticket.refresh_from_db()
    assert ticket.team is None


def test_the_first_rule_by_order_wins(agent, lakala):
    other = team_save(actor=agent, name="A0组", members=[])
    routing_rule_save(actor=agent, team=other, field=Field.RESPONSE_CODE, value="A0", position=1)
    ticket = make_ticket(acquirer="拉卡拉", response_code="A0")
    ticket.refresh_from_db()
    assert ticket.team == other


def test_the_agents_timeline_names_the_team(agent_client, lakala):
    ticket = make_ticket(acquirer="拉卡拉")
    page = agent_client.get(f"/agent/tickets/{ticket.reference}/").text
    assert "拉卡拉组" in page


def test_a_rule_needs_a_value_and_a_team_a_name(agent, lakala):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        routing_rule_save(actor=agent, team=lakala, field=Field.ACQUIRER, value="  ")
    with pytest.raises(ValidationError):
        team_save(actor=agent, name=" ", members=[])


def test_a_non_agent_cannot_write_teams(merchant):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        team_save(actor=merchant, name="组", members=[])


def test_a_team_and_a_rule_added_in_the_admin_are_written_through_the_services(client, agent, colleague):
    agent.is_superuser = True
    agent.save()
    client.force_login(agent)
    response = client.post(reverse("admin:tickets_team_add"), {"name": "深圳组", "members": [colleague.pk]})
    assert response.status_code == 302
    team = Team.objects.get(name="深圳组")
    assert list(team.members.all()) == [colleague]
    created = AuditEvent.objects.get(model="tickets.team", action="created")
    assert created.actor == agent
    assert "colleague" in str(created.changes)
    response = client.post(
        reverse("admin:tickets_routingrule_add"),
        {"team": team.pk, "field": Field.REGION, "value": "深圳", "position": 5},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(model="tickets.routingrule", action="created").count() == 1
    ticket = make_ticket(location="深圳市福田区")
    ticket.refresh_from_db()
    assert ticket.team == team


def test_the_team_admin_offers_only_agents_as_members(client, agent, merchant):
    agent.is_superuser = True
    agent.save()
    client.force_login(agent)
    page = client.get(reverse("admin:tickets_team_add")).content.decode()
    assert f'value="{agent.pk}"' in page
    assert f'value="{merchant.pk}"' not in page
