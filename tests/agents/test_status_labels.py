"""A status has two names from one source: the merchant's ("waiting for your reply") and the console's."""

import pytest
from django.urls import reverse

from tests.agents.conftest import make_ticket
from tickets.models import Ticket, agent_status_choices, agent_status_label

pytestmark = pytest.mark.django_db

WAITING = Ticket.Status.WAITING_ON_MERCHANT


def test_the_console_names_waiting_from_the_agents_side_in_both_languages(agent_client):
    make_ticket(status=WAITING)
    assert "等待商户回复" in agent_client.get(reverse("agents:queue")).text
    english = agent_client.get("/en/agent/?status=waiting_on_merchant").text
    assert "Waiting on merchant" in english
    assert "Waiting for your reply" not in english


def test_the_agents_ticket_page_uses_the_console_name(agent_client):
    ticket = make_ticket(status=WAITING)
    page = agent_client.get(f"/en/agent/tickets/{ticket.reference}/").text
    assert "Waiting on merchant" in page
    assert "Waiting for your reply" not in page


def test_the_merchants_page_keeps_its_own_wording(client, merchant):
    ticket = make_ticket(status=WAITING)
    Ticket.objects.filter(pk=ticket.pk).update(requester=merchant)
    client.force_login(merchant)
    page = client.get(f"/en/tickets/{ticket.reference}/").text
    assert "Waiting for your reply" in page
    assert "Waiting on merchant" not in page


def test_every_status_has_a_console_name_and_only_waiting_differs():
    labels = dict(agent_status_choices())
    assert list(labels) == Ticket.Status.values
    differing = [value for value in Ticket.Status.values if str(labels[value]) != str(Ticket.Status(value).label)]
    assert differing == [WAITING]
    assert agent_status_label("unknown") == "unknown"
