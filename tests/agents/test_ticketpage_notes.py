"""An internal note never reaches a merchant: not the tracking page, not its files, not an email."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from tests.agents.ticketpage import create_ticket, fast_passwords, page_url  # noqa: F401 (autouse fixture)
from tests.tickets.conftest import log_file, photo

NOTE = "内部：该商户上周也报过同样问题"


@pytest.fixture
def noted(client, merchant, agent):
    """A ticket with a reply and a note (with a file), both sent through the agent's page."""
    ticket = create_ticket(requester=merchant)
    client.force_login(agent)
    url = page_url(ticket, "agents:ticket_reply")
    client.post(url, {"body": "请先做一次POS签到", "kind": "reply", "files": [photo("reply.jpg")]})
    client.post(url, {"body": NOTE, "kind": "note", "files": [log_file("secret.log", "note only\n")]})
    client.logout()
    return ticket


def _tracking(ticket, key):
    with translation.override("zh-hans"):
        return reverse("tickets:detail", kwargs={"key": key})


def test_the_tracking_link_shows_the_reply_and_not_the_note(client, noted):
    page = client.get(_tracking(noted, f"t/{noted.access_token}")).content.decode()
    assert "请先做一次POS签到" in page
    assert NOTE not in page and "secret.log" not in page


def test_the_owner_sees_the_reply_and_not_the_note(client, noted, merchant):
    client.force_login(merchant)
    page = client.get(_tracking(noted, noted.reference)).content.decode()
    assert "请先做一次POS签到" in page
    assert NOTE not in page


def test_the_notes_file_is_404_for_the_merchant_but_the_replys_file_is_not(client, noted, merchant):
    client.force_login(merchant)
    note_file = noted.attachments.get(message__is_internal=True)
    reply_file = noted.attachments.get(message__is_internal=False, original_name="reply.jpg")
    for key in (noted.reference, f"t/{noted.access_token}"):
        with translation.override("zh-hans"):
            hidden = reverse("tickets:attachment", kwargs={"key": key, "pk": note_file.pk})
            shown = reverse("tickets:attachment", kwargs={"key": key, "pk": reply_file.pk})
        assert client.get(hidden).status_code == 404
        assert client.get(shown).status_code == 200


def test_no_email_carries_the_note(noted):
    # Every mail the portal sent for this ticket (receipt, and any reply notification) is free of the note.
    for message in mail.outbox:
        assert NOTE not in message.body
        assert all(NOTE not in str(content) for content, _type in getattr(message, "alternatives", []))


def test_the_agent_page_labels_the_note(client, noted, agent):
    client.force_login(agent)
    page = client.get(page_url(noted)).content.decode()
    assert NOTE in page
    assert 'class="message message-note"' in page
