"""Who may see a ticket and its files (tickets/access.py): the token holder and the signed-in owner see the
merchant's page; agents see files by reference (the admin links there) but not the merchant's page; everyone
else gets 404."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tickets import access, services
from tickets.models import Attachment, Ticket, TicketMessage

from .conftest import log_file, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(make_ticket, merchant):
    ticket, token = make_ticket(requester=merchant, files=[photo(), log_file()])
    return ticket, token


def urls(key: str, ticket) -> dict[str, str]:
    image = ticket.attachments.get(kind="image")
    log = ticket.attachments.get(kind="log")
    return {
        "detail": f"/tickets/{key}/",
        "sent": f"/tickets/{key}/sent/",
        "file": f"/tickets/{key}/files/{log.pk}/",
        "image": f"/tickets/{key}/files/{image.pk}/",
        "thumbnail": f"/tickets/{key}/files/{image.pk}/thumbnail/",
    }


PAGES = ["detail", "sent", "file", "image", "thumbnail"]
# By reference: the owner sees everything; agents only the files (the merchant's page is not theirs).
BY_REFERENCE = {
    "merchant": dict.fromkeys(PAGES, 200),
    "agent": {"detail": 404, "sent": 404, "file": 200, "image": 200, "thumbnail": 200},
    "editor": dict.fromkeys(PAGES, 404),
    "outsider": dict.fromkeys(PAGES, 404),
    None: dict.fromkeys(PAGES, 404),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona", list(BY_REFERENCE))
def test_access_matrix_by_reference(client, request, owned, page, persona):
    ticket, _token = owned
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(urls(ticket.reference, ticket)[page])
    assert response.status_code == BY_REFERENCE[persona][page]


def test_an_agent_who_filed_the_ticket_gets_the_merchant_page(client, make_ticket, agent):
    ticket, _token = make_ticket(requester=agent, description="my own terminal")
    client.force_login(agent)
    response = client.get(f"/en/tickets/{ticket.reference}/")
    assert response.status_code == 200
    assert "my own terminal" in response.content.decode()


def test_the_merchant_page_labels_the_merchants_messages_as_theirs(client, owned):
    _ticket, token = owned
    body = client.get(f"/en/tickets/t/{token}/").content.decode()
    assert "<strong>You</strong>" in body
    assert "Reply to the merchant" not in body


@pytest.mark.parametrize("page", ["detail", "sent", "file", "image", "thumbnail"])
@pytest.mark.parametrize("persona", ["merchant", "agent", "outsider", None])
def test_the_tracking_link_works_for_whoever_holds_it(client, request, owned, page, persona):
    ticket, token = owned
    if persona:
        client.force_login(request.getfixturevalue(persona))
    assert client.get(urls(f"t/{token}", ticket)[page]).status_code == 200


@pytest.mark.parametrize("page", ["detail", "sent", "file", "thumbnail"])
def test_a_wrong_token_gets_404(client, owned, page):
    ticket, token = owned
    wrong = "t/" + token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert client.get(urls(wrong, ticket)[page]).status_code == 404


@pytest.mark.parametrize("action", ["reply", "close", "reopen"])
@pytest.mark.parametrize("persona", ["agent", "editor", "outsider"])
def test_only_the_merchant_changes_a_ticket_through_its_reference(client, request, owned, persona, action):
    ticket, _token = owned
    client.force_login(request.getfixturevalue(persona))
    assert client.post(f"/en/tickets/{ticket.reference}/{action}/", {"body": "x"}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.messages.count() == 1
    assert ticket.status == Ticket.Status.NEW


@pytest.mark.parametrize(
    "url", ["/tickets/deflect/", "/tickets/{ref}/reply/", "/tickets/{ref}/close/", "/tickets/{ref}/reopen/"]
)
def test_every_state_changing_url_refuses_get(client, owned, url):
    ticket, _token = owned
    client.force_login(ticket.requester)
    assert client.get(url.format(ref=ticket.reference)).status_code == 405


def test_is_agent_means_staff_with_the_ticket_view_permission(agent, editor, merchant, view_only_staff):
    assert access.is_agent(agent) and access.is_agent(view_only_staff)
    assert not access.is_agent(editor) and not access.is_agent(merchant)


def test_writing_needs_the_change_permission_not_just_view(agent, view_only_staff):
    assert access.may_change_tickets(agent)
    assert not access.may_change_tickets(view_only_staff)


def test_a_view_only_agent_cannot_write_through_any_service(owned, view_only_staff):
    ticket, _token = owned
    calls = [
        lambda: services.ticket_agent_reply(ticket=ticket, agent=view_only_staff, body="hi"),
        lambda: services.ticket_note_add(ticket=ticket, agent=view_only_staff, body="hi"),
        lambda: services.ticket_status_set(ticket=ticket, agent=view_only_staff, status=Ticket.Status.OPEN),
        lambda: services.ticket_priority_set(ticket=ticket, agent=view_only_staff, priority=Ticket.Priority.HIGH),
        lambda: services.ticket_assign(ticket=ticket, agent=view_only_staff, assignee=None),
        lambda: services.ticket_close(ticket=ticket, actor=view_only_staff, actor_kind="agent"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW and ticket.messages.count() == 1
    assert list(ticket.events.values_list("kind", flat=True)) == ["created"]


def test_a_view_only_agent_cannot_change_a_ticket_in_the_admin(client, owned, view_only_staff):
    ticket, _token = owned
    client.force_login(view_only_staff)
    assert client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").status_code == 200
    response = client.post(f"/admin/tickets/ticket/{ticket.pk}/change/", {"status": "closed", "priority": "urgent"})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW


def test_staff_without_the_ticket_permission_gets_404(client, owned):
    ticket, _token = owned
    staff = get_user_model().objects.create_user(username="kbeditor", password="x-pass-123456", is_staff=True)
    client.force_login(staff)
    assert client.get(f"/tickets/{ticket.reference}/").status_code == 404


def test_a_token_does_not_open_another_tickets_files(client, owned, make_ticket):
    ticket, _token = owned
    _other, other_token = make_ticket()
    attachment = ticket.attachments.first()
    assert client.get(f"/tickets/t/{other_token}/files/{attachment.pk}/").status_code == 404


def test_files_are_downloads_that_browsers_may_not_sniff(client, owned):
    ticket, token = owned
    log = ticket.attachments.get(kind="log")
    response = client.get(f"/tickets/t/{token}/files/{log.pk}/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="pos.log.txt"' in response["Content-Disposition"]
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert b"".join(response.streaming_content).startswith(b"2026-05-01")


def test_thumbnails_are_shown_inline_as_images_only(client, owned):
    ticket, token = owned
    image = ticket.attachments.get(kind="image")
    response = client.get(f"/tickets/t/{token}/files/{image.pk}/thumbnail/")
    assert response["Content-Type"] == "image/jpeg"
    assert "attachment" not in response.get("Content-Disposition", "")
    log = ticket.attachments.get(kind="log")
    assert client.get(f"/tickets/t/{token}/files/{log.pk}/thumbnail/").status_code == 404


def test_a_non_ascii_file_name_is_sent_safely(client, make_ticket):
    ticket, token = make_ticket(files=[log_file("终端日志\r\n.log")])
    attachment = ticket.attachments.get()
    response = client.get(f"/tickets/t/{token}/files/{attachment.pk}/")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert "\n" not in response["Content-Disposition"]


def test_internal_notes_and_their_files_are_hidden_from_the_merchant(client, owned, agent):
    ticket, token = owned
    note = TicketMessage.objects.create(
        ticket=ticket, author=agent, author_role=TicketMessage.Role.AGENT, body="secret-agent-note", is_internal=True
    )
    name = default_storage.save("tickets/2026/internal.log", ContentFile(b"internal"))
    hidden = Attachment.objects.create(
        ticket=ticket,
        message=note,
        kind="log",
        original_name="n.log",
        file=name,
        content_type="text/plain",
        size=1,
        sha256="0" * 64,
    )
    assert "secret-agent-note" not in client.get(f"/tickets/t/{token}/").content.decode()
    assert client.get(f"/tickets/t/{token}/files/{hidden.pk}/").status_code == 404
    client.force_login(agent)
    assert client.get(f"/tickets/{ticket.reference}/files/{hidden.pk}/").status_code == 200


def test_tracking_pages_are_not_cached_or_indexed(client, owned):
    _ticket, token = owned
    response = client.get(f"/tickets/t/{token}/")
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_uploaded_files_are_not_under_a_static_or_public_folder(owned, settings):
    ticket, _token = owned
    for attachment in ticket.attachments.all():
        assert attachment.file.startswith("tickets/")
        assert attachment.original_name not in attachment.file
