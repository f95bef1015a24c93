"""Every URL of the ticket page: agents only (everyone else gets 404), and every change POST-only."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.agents.ticketpage import create_ticket, fast_passwords  # noqa: F401 (autouse fixture)
from tests.tickets.conftest import log_file

READS = ["agents:ticket", "agents:ticket_log", "agents:ticket_presence_list", "agents:ticket_article_choices"]
ACTIONS = [
    "agents:ticket_reply",
    "agents:ticket_assign",
    "agents:ticket_status",
    "agents:ticket_priority",
    "agents:ticket_merge",
    "agents:ticket_suggestion",
    "agents:ticket_suggestion_compute",
    "agents:ticket_tracking_link",
    "agents:ticket_article",
    "agents:ticket_presence",
]


def _url(name: str, ticket, *, english: bool = False) -> str:
    kwargs = {"reference": ticket.reference}
    if name == "agents:ticket_log":
        kwargs["pk"] = ticket.attachments.get().pk
    if name == "agents:ticket_article":
        kwargs["message_pk"] = ticket.messages.first().pk
    with translation.override("zh-hans"):
        url = reverse(name, kwargs=kwargs)
    return "/en" + url if english else url


@pytest.fixture
def ticket(merchant):
    return create_ticket(requester=merchant, files=[log_file()])


@pytest.fixture
def login(client, request):
    def as_persona(persona: str):
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return as_persona


# Signed-out visitors are sent to sign in instead (tests/agents/test_console_signin.py).
@pytest.mark.parametrize("persona", ["merchant", "editor", "outsider"])
@pytest.mark.parametrize("name", READS + ACTIONS)
def test_non_agents_get_404_on_every_ticket_page_url(login, ticket, persona, name):
    client = login(persona)
    assert client.get(_url(name, ticket)).status_code == 404
    assert client.post(_url(name, ticket)).status_code == 404


@pytest.mark.parametrize("name", READS)
def test_agents_read_every_page_in_both_languages(login, ticket, name, loaded_kb):
    client = login("agent")
    assert client.get(_url(name, ticket)).status_code == 200
    response = client.get(_url(name, ticket, english=True))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"


@pytest.mark.parametrize("name", ACTIONS)
def test_every_action_refuses_get(login, ticket, name):
    assert login("agent").get(_url(name, ticket)).status_code == 405


def test_an_unknown_reference_is_404_for_agents(login):
    assert login("agent").get(reverse("agents:ticket", kwargs={"reference": "POS-2026-999999"})).status_code == 404


def test_a_log_of_another_ticket_is_404(login, ticket):
    other = create_ticket()
    url = reverse("agents:ticket_log", kwargs={"reference": other.reference, "pk": ticket.attachments.get().pk})
    assert login("agent").get(url).status_code == 404


def test_a_photo_is_not_shown_in_the_log_viewer(db, login):
    from tests.tickets.conftest import photo

    ticket = create_ticket(files=[photo()])
    url = reverse("agents:ticket_log", kwargs={"reference": ticket.reference, "pk": ticket.attachments.get().pk})
    assert login("agent").get(url).status_code == 404


@pytest.mark.parametrize("name", ["agents:ticket_status", "agents:ticket_priority", "agents:ticket_assign"])
def test_staff_who_may_only_read_change_nothing(client, view_only_staff, ticket, name):
    client.force_login(view_only_staff)
    data = {"status": "resolved", "priority": "urgent", "assignee": "me"}
    response = client.post(_url(name, ticket), data)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee_id) == ("new", "normal", None)
    assert not ticket.events.exclude(kind="created").exists()
