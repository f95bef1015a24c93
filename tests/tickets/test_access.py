"""Who may see a ticket and its files: the token holder, the signed-in owner, agents; everyone else gets 404."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tickets.models import Attachment, TicketMessage

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


@pytest.mark.parametrize("page", ["detail", "sent", "file", "image", "thumbnail"])
@pytest.mark.parametrize(
    ("persona", "by_reference_status"),
    [("merchant", 200), ("agent", 200), ("outsider", 404), (None, 404)],
)
def test_access_matrix_by_reference(client, request, owned, page, persona, by_reference_status):
    ticket, _token = owned
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(urls(ticket.reference, ticket)[page])
    assert response.status_code == by_reference_status


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
