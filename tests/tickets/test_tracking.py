"""The tracking page: status, conversation, replies with files, closing and reopening."""

import pytest

from tickets.models import Ticket, TicketMessage

from .conftest import CARD, CARD_MASKED, log_file, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def tracked(make_ticket):
    ticket, token = make_ticket(description="first words")
    return ticket, f"/en/tickets/t/{token}/"


def test_the_tracking_page_shows_status_and_conversation(client, tracked):
    ticket, url = tracked
    body = client.get(url).content.decode()
    assert ticket.reference in body
    assert "New" in body
    assert "first words" in body


def test_the_merchant_can_reply_with_files(client, tracked):
    ticket, url = tracked
    response = client.post(url + "reply/", {"body": "it happened again", "files": [photo(), log_file()]})
    assert response.status_code == 302
    message = ticket.messages.last()
    assert message.body == "it happened again"
    assert message.author_role == TicketMessage.Role.MERCHANT
    assert message.attachments.count() == 2
    assert "it happened again" in client.get(url).content.decode()


def test_a_reply_masks_card_numbers_and_says_so(client, tracked):
    ticket, url = tracked
    response = client.post(url + "reply/", {"body": f"card {CARD}"}, follow=True)
    assert ticket.messages.last().body == f"card {CARD_MASKED}"
    assert "masked" in response.content.decode()


def test_an_empty_reply_is_explained(client, tracked):
    _ticket, url = tracked
    response = client.post(url + "reply/", {"body": "  "})
    assert response.status_code == 400
    assert "Write a message or attach a file" in response.content.decode()


def test_a_reply_with_a_refused_file_keeps_the_text(client, tracked):
    ticket, url = tracked
    html = log_file("x.log", "<html><body>x</body></html>")
    response = client.post(url + "reply/", {"body": "typed-text-kept", "files": [html]})
    body = response.content.decode()
    assert response.status_code == 400
    assert "x.log" in body and "typed-text-kept" in body
    assert ticket.messages.count() == 1


def test_a_merchant_reply_reopens_a_ticket_waiting_for_them(client, tracked):
    ticket, url = tracked
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.WAITING_ON_MERCHANT)
    client.post(url + "reply/", {"body": "here is the log"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN


def test_an_agent_cannot_reply_on_the_merchants_page(client, make_ticket, merchant, agent):
    ticket, _token = make_ticket(requester=merchant)
    client.force_login(agent)
    assert client.post(f"/en/tickets/{ticket.reference}/reply/", {"body": "please sign on"}).status_code == 404
    assert ticket.messages.count() == 1


def test_the_merchant_can_close_and_reopen(client, tracked):
    ticket, url = tracked
    client.post(url + "close/")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    assert "Reopen it" in client.get(url).content.decode()
    client.post(url + "reopen/")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN


def test_a_closed_ticket_takes_no_reply(client, tracked):
    _ticket, url = tracked
    client.post(url + "close/")
    response = client.post(url + "reply/", {"body": "hello?"})
    assert response.status_code == 400
    assert "Reopen it to add a message" in response.content.decode()


@pytest.mark.parametrize("action", ["reply", "close", "reopen"])
def test_state_changes_need_a_post(client, tracked, action):
    _ticket, url = tracked
    assert client.get(url + action + "/").status_code == 405


@pytest.mark.parametrize("action", ["reply", "close", "reopen"])
def test_an_outsider_cannot_change_a_ticket_by_reference(client, make_ticket, merchant, outsider, action):
    ticket, _token = make_ticket(requester=merchant)
    client.force_login(outsider)
    assert client.post(f"/en/tickets/{ticket.reference}/{action}/", {"body": "x"}).status_code == 404
    assert ticket.messages.count() == 1


def test_the_confirmation_page_shows_the_reference_and_the_private_link(client, make_ticket):
    ticket, token = make_ticket()
    body = client.get(f"/en/tickets/t/{token}/sent/").content.decode()
    assert ticket.reference in body
    assert f"/tickets/t/{token}/" in body


def test_support_links_can_be_tapped_and_the_merchants_own_text_stays_text(client, tracked, agent):
    from tickets import services

    ticket, url = tracked
    services.ticket_agent_reply(
        ticket=ticket,
        agent=agent,
        body="图文步骤见：http://testserver/articles/fix-network/。 <b>x</b> http://a.example/?q=1&b=2",
    )
    services.ticket_reply(ticket=ticket, author=None, body="see http://evil.example/ now")
    body = client.get(url).content.decode()
    assert '见：<a href="http://testserver/articles/fix-network/" rel="nofollow">' in body
    assert '<a href="http://a.example/?q=1&amp;b=2" rel="nofollow">' in body
    assert "&lt;b&gt;x&lt;/b&gt;" in body  # still escaped
    assert "see http://evil.example/ now" in body and 'href="http://evil.example/' not in body


def test_the_reference_in_the_heading_never_breaks_at_its_hyphens(client, tracked):
    ticket, url = tracked
    body = client.get(url).content.decode()
    assert f'<h1>Request <span class="nowrap">{ticket.reference}</span></h1>' in body
