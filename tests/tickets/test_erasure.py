"""Issue 18 (C): tickets are never deleted from the admin (it would erase their history); removal for a
data-protection request is `ticket_erase`, which deletes the ticket and its stored files and leaves a record."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from agents import roles
from tickets import services
from tickets.admin import TicketAdmin
from tickets.models import Attachment, Ticket, TicketErasure, TicketEvent, TicketMessage

from .conftest import log_file, photo

pytestmark = pytest.mark.django_db

REASON = "个人信息删除申请 2026-05-01（电话）"


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser(username="root", password="root-pass-123")


@pytest.fixture
def full_ticket(make_ticket, agent):
    """A ticket with the merchant's files, an agent's reply with a file and an internal note."""
    ticket, _token = make_ticket(files=[photo(), log_file()])
    services.ticket_agent_reply(ticket=ticket, agent=agent, body="请重新签到", files=[photo("answer.jpg")])
    services.ticket_note_add(ticket=ticket, agent=agent, body="内部备注")
    return ticket


def stored_files(ticket) -> list[str]:
    return [name for row in ticket.attachments.values_list("file", "thumbnail") for name in row if name]


@pytest.mark.parametrize("persona", ["agent", "admin_user"])
def test_the_admins_delete_page_is_refused_to_everyone(client, request, make_ticket, persona):
    ticket, _token = make_ticket()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/admin/tickets/ticket/{ticket.pk}/delete/").status_code == 403
    assert client.post(f"/admin/tickets/ticket/{ticket.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Ticket.objects.filter(pk=ticket.pk).exists()


@pytest.mark.parametrize("persona", ["agent", "admin_user"])
def test_the_admins_bulk_delete_action_is_gone(client, request, make_ticket, persona):
    ticket, _token = make_ticket()
    client.force_login(request.getfixturevalue(persona))
    page = client.get("/admin/tickets/ticket/")
    assert "delete_selected" not in page.content.decode()
    client.post("/admin/tickets/ticket/", {"action": "delete_selected", "_selected_action": [ticket.pk], "post": "yes"})
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_messages_files_and_events_cannot_be_deleted_from_the_tickets_admin_page(rf, admin_user, make_ticket):
    ticket, _token = make_ticket()
    request = rf.get("/")
    request.user = admin_user
    from django.contrib.admin import site

    for inline in TicketAdmin(Ticket, site).get_inline_instances(request, ticket):
        assert not inline.has_delete_permission(request, ticket)
        assert not inline.can_delete


def test_agents_are_not_granted_deleting_tickets_and_lose_it_if_they_had_it(agent):
    group = Group.objects.get(name=roles.AGENTS)
    group.permissions.add(*Permission.objects.filter(codename__in=["delete_ticket", "delete_ticketevent"]))
    roles.roles_sync()
    fresh = get_user_model().objects.get(pk=agent.pk)
    assert fresh.has_perm("tickets.change_ticket")
    assert not fresh.has_perm("tickets.delete_ticket") and not fresh.has_perm("tickets.delete_ticketevent")
    assert not fresh.has_perm("tickets.erase_ticket")


def test_erasing_removes_the_ticket_its_rows_and_its_stored_files(
    full_ticket, admin_user, django_capture_on_commit_callbacks
):
    names = stored_files(full_ticket)
    assert names and all(default_storage.exists(name) for name in names)
    counts = (full_ticket.messages.count(), full_ticket.attachments.count(), full_ticket.events.count())
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_erase(actor=admin_user, ticket=full_ticket, reason=REASON)
    assert not Ticket.objects.filter(pk=full_ticket.pk).exists()
    assert not TicketMessage.objects.filter(ticket_id=full_ticket.pk).exists()
    assert not Attachment.objects.filter(ticket_id=full_ticket.pk).exists()
    assert not TicketEvent.objects.filter(ticket_id=full_ticket.pk).exists()
    assert not any(default_storage.exists(name) for name in names)
    record = TicketErasure.objects.get()
    assert (record.reference, record.actor, record.reason) == (full_ticket.reference, admin_user, REASON)
    assert (record.messages, record.attachments, record.events, record.files) == (*counts, len(names))


def test_the_erasure_record_outlives_the_account_that_erased(full_ticket, admin_user):
    services.ticket_erase(actor=admin_user, ticket=full_ticket, reason=REASON)
    admin_user.delete()
    record = TicketErasure.objects.get()
    assert record.actor is None and record.actor_username == "root"


def test_erasing_needs_a_reason(full_ticket, admin_user):
    with pytest.raises(ValidationError):
        services.ticket_erase(actor=admin_user, ticket=full_ticket, reason="   ")
    assert Ticket.objects.filter(pk=full_ticket.pk).exists() and not TicketErasure.objects.exists()


def test_agents_cannot_erase(full_ticket, agent):
    with pytest.raises(PermissionDenied):
        services.ticket_erase(actor=agent, ticket=full_ticket, reason=REASON)
    assert Ticket.objects.filter(pk=full_ticket.pk).exists()


def test_the_command_erases_a_ticket_and_says_what_went(
    full_ticket, admin_user, capsys, django_capture_on_commit_callbacks
):
    names = stored_files(full_ticket)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ticket_erase", full_ticket.reference, "--reason", REASON, "--actor", "root")
    assert f"Erased {full_ticket.reference}" in capsys.readouterr().out
    assert not Ticket.objects.filter(pk=full_ticket.pk).exists()
    assert TicketErasure.objects.get().reason == REASON
    assert not any(default_storage.exists(name) for name in names)


@pytest.mark.parametrize("reason", [None, "  "])
def test_the_command_refuses_without_a_reason(full_ticket, admin_user, reason):
    options = ["--actor", "root"] + ([] if reason is None else ["--reason", reason])
    with pytest.raises(CommandError, match="reason"):
        call_command("ticket_erase", full_ticket.reference, *options)
    assert Ticket.objects.filter(pk=full_ticket.pk).exists() and not TicketErasure.objects.exists()


def test_the_command_refuses_an_actor_who_may_not_erase(full_ticket, agent):
    with pytest.raises(CommandError, match="may not erase"):
        call_command("ticket_erase", full_ticket.reference, "--reason", REASON, "--actor", "agent")
    assert Ticket.objects.filter(pk=full_ticket.pk).exists()
