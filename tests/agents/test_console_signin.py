"""Signed out, the console sends the visitor to sign in and back; agents land on it and find it in the header."""

import pytest

from tests.agents.conftest import make_ticket

pytestmark = pytest.mark.django_db

PASSWORD = "agent-pass-123"


@pytest.mark.parametrize(
    ("url", "login"),
    [("/agent/", "/accounts/login/?next=/agent/"), ("/en/agent/", "/en/accounts/login/?next=/en/agent/")],
)
def test_a_signed_out_visitor_is_sent_to_sign_in_and_back_to_the_console(client, url, login):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == login


def test_every_console_page_asks_a_signed_out_visitor_to_sign_in(client):
    ticket = make_ticket()
    for url in ("/agent/queue/rows/", "/agent/dashboard/", f"/agent/tickets/{ticket.reference}/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def test_a_signed_out_post_changes_nothing_and_asks_to_sign_in(client):
    ticket = make_ticket()
    response = client.post("/agent/queue/bulk/", {"action": "close", "ids": [ticket.pk]})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == ticket.Status.NEW


def test_after_signing_in_the_agent_is_back_on_the_console_page_they_asked_for(client, agent):
    agent.set_password(PASSWORD)
    agent.save()
    response = client.post(
        "/en/accounts/login/?next=/en/agent/",
        {"username": agent.username, "password": PASSWORD, "next": "/en/agent/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/agent/"
    assert client.get(response["Location"]).status_code == 200


def test_an_agent_signing_in_from_the_header_lands_on_the_console(client, agent):
    agent.set_password(PASSWORD)
    agent.save()
    response = client.post("/accounts/login/", {"username": agent.username, "password": PASSWORD})
    assert response["Location"] == "/agent/"


def test_a_merchant_signing_in_from_the_header_lands_at_home(client, merchant):
    merchant.set_password(PASSWORD)
    merchant.save()
    response = client.post("/accounts/login/", {"username": merchant.username, "password": PASSWORD})
    assert response["Location"] == "/"


@pytest.mark.parametrize("persona", ["merchant", "editor", "outsider"])
def test_a_signed_in_non_agent_still_gets_404(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/agent/").status_code == 404
    assert client.get("/en/agent/").status_code == 404


def test_agents_see_a_console_link_in_the_site_header(client, agent):
    client.force_login(agent)
    page = client.get("/tickets/").text
    assert '<a href="/agent/">客服工作台</a>' in page


def test_merchants_see_no_console_link(client, merchant):
    client.force_login(merchant)
    page = client.get("/tickets/").text
    assert 'href="/agent/"' not in page
