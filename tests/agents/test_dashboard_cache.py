"""The dashboard's figures are computed at most once a minute for everyone, say when they are from, and a
Refresh button recomputes them at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.stats import CACHE_SECONDS
from tests.agents.dashboard_helpers import ticket
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/agent/dashboard/"
REFRESH = "/agent/dashboard/refresh/"


@pytest.fixture
def as_agent(client, agent):
    client.force_login(agent)
    return client


def _open_total(client, **params) -> int:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.context["data"].open_tickets.total


def test_the_page_says_what_time_its_figures_are_from(as_agent):
    response = as_agent.get(URL)
    as_of = timezone.localtime(response.context["data"].as_of)
    assert f"数据截至 {as_of:%H:%M}" in response.text


def test_a_new_ticket_shows_once_the_figures_are_older_than_the_cache_time(as_agent, monkeypatch):
    assert _open_total(as_agent) == 0
    ticket(created_at=timezone.now(), status=Ticket.Status.NEW)
    assert _open_total(as_agent) == 0  # the figures of a moment ago, as the page says
    later = timezone.now() + timedelta(seconds=CACHE_SECONDS)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert _open_total(as_agent) == 1


def test_refresh_recomputes_the_figures_at_once_for_the_period_shown(as_agent):
    assert _open_total(as_agent, days=30) == 0
    ticket(created_at=timezone.now(), status=Ticket.Status.NEW)
    response = as_agent.post(REFRESH, {"days": "30"})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?days=30"
    assert _open_total(as_agent, days=30) == 1


def test_each_period_has_its_own_figures(as_agent):
    assert as_agent.get(URL, {"days": "7"}).context["data"].days == 7
    assert as_agent.get(URL, {"days": "90"}).context["data"].days == 90


def test_refresh_only_answers_post(as_agent):
    assert as_agent.get(REFRESH).status_code == 405


@pytest.mark.parametrize("persona", ["merchant", "editor", "outsider"])
def test_anyone_but_an_agent_gets_404_from_refresh(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(REFRESH).status_code == 404
