"""Repeated tickets about one terminal are grouped for agents (nobody is limited per terminal): the queue and
the ticket page say how many other open tickets that terminal had in the last 24 hours, with links."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tickets.models import Ticket

from .conftest import make_ticket

pytestmark = pytest.mark.django_db
QUEUE = "/en/agent/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def page(agent_client, ticket) -> str:
    return agent_client.get(ticket_url(ticket)).content.decode()


def ticket_url(ticket) -> str:
    with translation.override("en"):
        return reverse("agents:ticket", kwargs={"reference": ticket.reference})


def test_the_ticket_page_lists_the_other_open_tickets_for_its_terminal(agent_client):
    first, second, third = (make_ticket() for _ in range(3))
    other_terminal = make_ticket(terminal_id="87654321")

    body = page(agent_client, third)

    assert "2 other open tickets for this terminal in the last 24 h" in body
    # One list of related tickets: these two marked as open for this terminal, the other terminal's not.
    nearby = [row.split('href="')[1].split('"')[0] for row in body.split('<li class="open-nearby">')[1:]]
    assert sorted(nearby) == sorted([ticket_url(first), ticket_url(second)])
    assert ticket_url(other_terminal) in body.split('id="same-terminal-heading"')[1].split("</section>")[0]


def test_closed_and_older_tickets_are_not_counted(agent_client):
    make_ticket(status=Ticket.Status.CLOSED)
    make_ticket(created_at=timezone.now() - timedelta(hours=25))
    ticket = make_ticket()

    assert "other open ticket" not in page(agent_client, ticket)


def test_the_queue_says_it_on_each_row_with_a_link(agent_client):
    for _ in range(3):
        make_ticket()
    make_ticket(terminal_id="87654321")

    body = agent_client.get(QUEUE, {"view": "all"}).content.decode()

    assert body.count("2 other open tickets for this terminal in the last 24 h") == 3
    assert "?terminal=12345678" in body
    assert "terminal=87654321" not in body
