"""Teams in the queue: an agent's teams' tickets come first, each team has its view, the menus offer teams."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.agents.conftest import bulk_tickets, make_ticket
from tickets.models import RoutingRule
from tickets.services.routing import routing_rule_save, team_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def lakala(agent):
    team = team_save(actor=agent, name="拉卡拉组", members=[agent])
    routing_rule_save(actor=agent, team=team, field=RoutingRule.Field.ACQUIRER, value="拉卡拉")
    return team


def _references(client, **params) -> list[str]:
    response = client.get("/agent/", params)
    assert response.status_code == 200
    return [row.reference for row in response.context["page"].object_list]


def test_my_teams_tickets_come_first_then_the_rest_by_due_time(agent_client, lakala):
    now = timezone.now()
    soon = make_ticket(acquirer="银联商务", first_response_due=now + timedelta(hours=1))
    later = make_ticket(acquirer="拉卡拉", first_response_due=now + timedelta(hours=5))
    latest = make_ticket(acquirer="拉卡拉", first_response_due=now + timedelta(hours=9))
    assert _references(agent_client) == [later.reference, latest.reference, soon.reference]


def test_an_agent_in_no_team_sees_the_plain_order(client, colleague, lakala):
    now = timezone.now()
    soon = make_ticket(acquirer="银联商务", first_response_due=now + timedelta(hours=1))
    later = make_ticket(acquirer="拉卡拉", first_response_due=now + timedelta(hours=5))
    client.force_login(colleague)
    assert _references(client) == [soon.reference, later.reference]


def test_the_teams_view_and_a_teams_own_view_hold_only_its_tickets(agent_client, lakala):
    mine = make_ticket(acquirer="拉卡拉")
    make_ticket(acquirer="银联商务")
    assert _references(agent_client, view="teams") == [mine.reference]
    assert _references(agent_client, team=str(lakala.pk)) == [mine.reference]


def test_the_sidebar_lists_my_teams_and_the_filter_offers_every_team(agent_client, agent, lakala):
    other = team_save(actor=agent, name="深圳组", members=[])
    page = agent_client.get("/agent/").text
    assert f'href="?team={lakala.pk}"' in page
    assert f'href="?team={other.pk}"' not in page
    assert f'<option value="{other.pk}">深圳组</option>' in page


def test_a_renamed_team_shows_its_new_name_at_once(agent_client, agent, lakala):
    agent_client.get("/agent/")
    team_save(actor=agent, name="拉卡拉二组", members=[agent], team=lakala)
    assert "拉卡拉二组" in agent_client.get("/agent/").text


def test_an_unknown_team_is_a_message_not_an_error_page(agent_client):
    response = agent_client.get("/agent/", {"team": "99999"})
    assert response.status_code == 400
    assert "errors" in response.text


def test_teams_first_adds_no_query_per_row(agent_client, agent, lakala, django_assert_max_num_queries):
    bulk_tickets(60, team=lakala)
    bulk_tickets(60, start=60)
    agent_client.get("/agent/", {"size": "100"})
    with django_assert_max_num_queries(10):
        agent_client.get("/agent/", {"size": "100"})


def test_a_team_of_several_counts_each_unread_ticket_once(agent_client, agent, colleague, lakala):
    team_save(actor=agent, name="拉卡拉组", members=[agent, colleague], team=lakala)
    make_ticket(acquirer="拉卡拉")
    make_ticket(acquirer="银联商务")
    unread = agent_client.get("/agent/").context["queue"].unread
    assert unread["all"] == 2
    assert unread["teams"] == 1
