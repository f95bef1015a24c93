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


def admin_change(client, ticket, **values):
    data = {"status": ticket.status, "priority": ticket.priority, "assignee": ticket.assignee_id or ""}
    data.update(values)
    # The read-only inlines still send their (empty) management forms.
    for prefix in ("messages", "attachments", "events"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return client.post(f"/admin/tickets/ticket/{ticket.pk}/change/", data)


def test_an_admin_save_goes_through_the_services_and_records_events(client, make_ticket, agent):
    from tickets.models import Ticket

    ticket, _token = make_ticket()
    client.force_login(agent)
    response = admin_change(client, ticket, status="open", priority="urgent", assignee=agent.pk)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == ("open", "urgent", agent)
    events = {e.kind: e for e in ticket.events.exclude(kind="created")}
    assert set(events) == {"status", "priority", "assignee"}
    assert all(e.actor == agent and e.actor_kind == "agent" for e in events.values())
    assert (events["priority"].old_value, events["priority"].new_value) == ("normal", "urgent")
    assert Ticket.objects.get(pk=ticket.pk).updated_at >= ticket.created_at


def test_an_admin_save_that_changes_nothing_records_nothing(client, make_ticket, agent):
    ticket, _token = make_ticket()
    client.force_login(agent)
    assert admin_change(client, ticket).status_code == 302
    assert list(ticket.events.values_list("kind", flat=True)) == ["created"]


def test_the_admin_offers_only_agents_as_assignees(client, make_ticket, agent, editor, merchant):
    ticket, _token = make_ticket()
    client.force_login(agent)
    field = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").context["adminform"].form.fields["assignee"]
    assert list(field.queryset) == [agent]


def test_the_admin_cannot_edit_what_the_merchant_sent(client, make_ticket, agent):
    ticket, _token = make_ticket(description="original words")
    client.force_login(agent)
    admin_change(client, ticket, description="rewritten", status="open")
    ticket.refresh_from_db()
    assert ticket.description == "original words"
    assert ticket.status == "open"


def test_the_admin_shows_the_timeline(client, make_ticket, agent):
    from tickets import services

    ticket, _token = make_ticket()
    services.ticket_priority_set(ticket=ticket, agent=agent, priority="high")
    client.force_login(agent)
    response = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/")
    timeline = next(f for f in response.context["inline_admin_formsets"] if f.formset.model.__name__ == "TicketEvent")
    assert [form.original.kind for form in timeline] == ["created", "priority"]
