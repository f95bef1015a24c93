"""Agents work tickets in the admin until the agent console exists."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_agent_finds_a_ticket_by_terminal_id(client, make_ticket, agent):
    ticket, _token = make_ticket(terminal_id="T0000042")
    make_ticket(terminal_id="T0000099")
    client.force_login(agent)
    body = client.get("/admin/tickets/ticket/", {"q": "T0000042"}).content.decode()
    assert ticket.reference in body
    assert "T0000099" not in body


def test_an_agent_filters_tickets_by_status(client, make_ticket, agent):
    make_ticket()
    client.force_login(agent)
    assert client.get("/admin/tickets/ticket/", {"status__exact": "closed"}).context["cl"].result_count == 0
    assert client.get("/admin/tickets/ticket/", {"status__exact": "new"}).context["cl"].result_count == 1


def test_the_admin_links_files_through_the_access_checked_view(client, make_ticket, agent):
    from .conftest import log_file

    ticket, _token = make_ticket(files=[log_file()])
    client.force_login(agent)
    body = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").content.decode()
    attachment = ticket.attachments.get()
    assert f"/tickets/{ticket.reference}/files/{attachment.pk}/" in body


def test_a_merchant_cannot_open_the_ticket_admin(client, make_ticket, merchant):
    make_ticket(requester=merchant)
    client.force_login(merchant)
    assert client.get("/admin/tickets/ticket/").status_code == 302
