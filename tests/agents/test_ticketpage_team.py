"""The console moves a ticket to another team: the ticket page's select and the queue's bulk bar, each a POST
through tickets.services.routing.ticket_team_set (recorded as an event), gated like assignment."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.agents.conftest import make_ticket
from tickets.models import Ticket, TicketEvent
from tickets.services.routing import team_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def lakala(agent):
    return team_save(actor=agent, name="拉卡拉组", members=[agent])


def _url(ticket):
    return reverse("agents:ticket_team", kwargs={"reference": ticket.reference})


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_ticket_page_offers_the_teams_and_shows_the_ticket_s_team(agent_client, agent, lakala):
    ticket = make_ticket()
    page = agent_client.get(reverse("agents:ticket", kwargs={"reference": ticket.reference})).content.decode()
    assert f'<option value="{lakala.pk}">拉卡拉组</option>' in page
    agent_client.post(_url(ticket), {"team": lakala.pk})
    page = agent_client.get(reverse("agents:ticket", kwargs={"reference": ticket.reference})).content.decode()
    assert f'<option value="{lakala.pk}" selected>拉卡拉组</option>' in page
    assert "团队: 拉卡拉组" in page


def test_posting_a_team_moves_the_ticket_and_records_who_did(agent_client, agent, lakala):
    ticket = make_ticket()
    response = agent_client.post(_url(ticket), {"team": lakala.pk})
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).team == lakala
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.TEAM)
    assert (event.actor, event.new_value) == (agent, str(lakala.pk))
    assert _messages(response) == ["团队已保存。"]


def test_no_team_takes_the_ticket_out_of_its_team(agent_client, agent, lakala):
    ticket = make_ticket()
    agent_client.post(_url(ticket), {"team": lakala.pk})
    agent_client.post(_url(ticket), {"team": ""})
    assert Ticket.objects.get(pk=ticket.pk).team is None


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_an_unknown_team_is_refused_on_the_page(agent_client, value):
    ticket = make_ticket()
    response = agent_client.post(_url(ticket), {"team": value})
    assert response.status_code == 302
    assert _messages(response) == ["该团队不存在（可能已被删除）。"]
    assert not TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.TEAM).exists()


def test_get_is_not_allowed(agent_client):
    assert agent_client.get(_url(make_ticket())).status_code == 405


@pytest.mark.parametrize("persona", ["merchant", "outsider", "editor"])
def test_non_agents_get_404_and_change_nothing(client, request, persona, lakala):
    client.force_login(request.getfixturevalue(persona))
    ticket = make_ticket()
    assert client.post(_url(ticket), {"team": lakala.pk}).status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).team is None


def test_the_bulk_bar_moves_every_selected_ticket(agent_client, agent, lakala):
    chosen = [make_ticket(), make_ticket()]
    other = make_ticket()
    page = agent_client.get(reverse("agents:queue")).content.decode()
    assert 'id="bulk-team"' in page
    response = agent_client.post(
        reverse("agents:queue_bulk"), {"action": "team", "team": lakala.pk, "ids": [t.pk for t in chosen]}
    )
    assert response.status_code == 302
    assert set(Ticket.objects.filter(team=lakala).values_list("pk", flat=True)) == {t.pk for t in chosen}
    assert Ticket.objects.get(pk=other.pk).team is None
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.TEAM, actor=agent).count() == 2
    agent_client.post(reverse("agents:queue_bulk"), {"action": "team", "team": "none", "ids": [chosen[0].pk]})
    assert Ticket.objects.get(pk=chosen[0].pk).team is None


def test_the_bulk_bar_refuses_a_team_that_does_not_exist(agent_client):
    ticket = make_ticket()
    response = agent_client.post(reverse("agents:queue_bulk"), {"action": "team", "team": "999999", "ids": [ticket.pk]})
    assert "该团队不存在" in " ".join(_messages(response))
    assert not TicketEvent.objects.filter(kind=TicketEvent.Kind.TEAM).exists()
