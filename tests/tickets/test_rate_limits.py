"""Limits on sending: per submitter (session, account, ticket), a generous per-address backstop, checked
before the upload is read, counting every send (accepted or not) but never the form's own step buttons,
keyed on nothing a stranger can type (a terminal), saying when to try again."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client

from tickets.models import Ticket, TicketMessage

from .conftest import form_data, photo

pytestmark = pytest.mark.django_db
NEW = "/en/tickets/new/"


def send(client, n, **overrides):
    return client.post(NEW, form_data(submission_key=f"key{n:02d}" + "x" * 24, **overrides))


def test_a_submitter_over_the_limit_is_refused_before_the_upload_is_read(client, settings):
    settings.TICKET_RATE_LIMIT = 2
    for n in range(2):
        assert send(client, n, terminal_id=f"1234567{n}").status_code == 302
    with mock.patch("tickets.uploads.LimitUploadHandler.new_file") as upload:
        response = send(client, 9, terminal_id="12345679", photos=[photo()])

    assert response.status_code == 429
    upload.assert_not_called()
    assert int(response["Retry-After"]) > 3500
    assert "You can send again in 60 minutes" in response.content.decode()
    assert Ticket.objects.count() == 2


def test_the_script_is_told_in_json_and_keeps_the_form(client, settings):
    settings.TICKET_RATE_LIMIT = 1
    send(client, 1)
    response = client.post(NEW, form_data(terminal_id="87654321"), headers={"accept": "application/json"})

    assert response.status_code == 429
    assert "You can send again in" in response.json()["error"]
    assert response.json()["retry_after"] > 0


def test_merchants_behind_one_shop_address_are_not_blocked_by_each_other(settings):
    settings.TICKET_RATE_LIMIT = 1
    shop = [Client(REMOTE_ADDR="10.1.1.1") for _ in range(4)]

    statuses = [send(browser, n, terminal_id=f"8765432{n}").status_code for n, browser in enumerate(shop)]

    assert statuses == [302] * 4


def test_the_per_address_ceiling_is_a_backstop(settings):
    settings.TICKET_RATE_LIMIT_PER_ADDRESS = 2
    statuses = [send(Client(), n, terminal_id=f"1111222{n}").status_code for n in range(3)]

    assert statuses == [302, 302, 429]


def test_a_signed_in_merchant_is_one_submitter_across_sessions(merchant, settings):
    settings.TICKET_RATE_LIMIT = 1
    first, second = Client(), Client()
    first.force_login(merchant)
    second.force_login(merchant)
    send(first, 1)

    assert send(second, 2, terminal_id="87654321").status_code == 429


def test_strangers_cannot_block_a_shop_s_terminal_with_fake_tickets(settings):
    settings.TICKET_RATE_LIMIT = 1
    for n in range(5):
        send(Client(REMOTE_ADDR=f"198.51.100.{n}"), n)  # the shop's MID/TID, typed by others

    response = send(Client(), 9)

    assert response.status_code == 302
    assert Ticket.objects.count() == 6


def test_sends_refused_by_the_form_count_too(client, settings):
    settings.TICKET_RATE_LIMIT = 2
    for n in range(2):
        assert send(client, n, terminal_id="bad").status_code == 400

    response = send(client, 3)

    assert response.status_code == 429
    assert "You can send again in 60 minutes" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_the_script_is_told_in_json_when_the_send_that_crosses_the_limit_is_read(client, settings):
    settings.TICKET_RATE_LIMIT = 1
    send(client, 1, terminal_id="bad")
    # The pre-check before the body counts nothing: this one is refused once read, without a ticket.
    with mock.patch("tickets.ratelimit.wait", return_value=0):
        response = client.post(NEW, form_data(submission_key="k" * 30), headers={"accept": "application/json"})

    assert response.status_code == 429
    assert response.json()["retry_after"] > 0
    assert Ticket.objects.count() == 0


def test_concurrent_sends_cannot_all_slip_under_the_limit(settings):
    # Both passed the pre-check before either was counted: the count, not the check, decides.
    settings.TICKET_RATE_LIMIT = 1
    client = Client()
    with mock.patch("tickets.ratelimit.wait", return_value=0):
        first = send(client, 1)
        second = send(client, 2, location="kept-marker", photos=[photo("receipt.jpg")])

    body = second.content.decode()
    assert (first.status_code, second.status_code) == (302, 429)
    # Refused once the body was read: what was typed and the files are kept.
    assert "You can send again in 60 minutes" in body and "kept-marker" in body and "receipt.jpg" in body
    assert Ticket.objects.count() == 1


def test_replies_refused_by_the_form_count_too(client, settings):
    settings.TICKET_REPLY_RATE_LIMIT = 2
    tracking = send(client, 1)["Location"].removesuffix("sent/")
    statuses = [client.post(tracking + "reply/", {"body": ""}).status_code for _ in range(2)]
    statuses.append(client.post(tracking + "reply/", {"body": "the receipt"}).status_code)

    assert statuses == [400, 400, 429]
    assert not TicketMessage.objects.filter(body="the receipt").exists()


def test_step_buttons_never_count(client, settings):
    settings.TICKET_RATE_LIMIT = 1
    for _ in range(10):
        assert send(client, 1, action="add_step").status_code == 200

    assert send(client, 1).status_code == 302


def test_replies_do_not_share_the_ticket_counter(client, settings):
    settings.TICKET_RATE_LIMIT = 1
    tracking = send(client, 1)["Location"].removesuffix("sent/")

    assert client.post(tracking + "reply/", {"body": "the receipt"}).status_code == 302


def test_replies_are_limited_per_ticket_with_when_to_try_again(client, settings):
    settings.TICKET_REPLY_RATE_LIMIT = 2
    tracking = send(client, 1)["Location"].removesuffix("sent/")
    statuses = [client.post(tracking + "reply/", {"body": f"message {n}"}).status_code for n in range(3)]

    assert statuses == [302, 302, 429]
    assert TicketMessage.objects.filter(body__startswith="message").count() == 2


def test_the_form_says_when_you_can_send_again_before_anything_is_typed(client, settings):
    settings.TICKET_RATE_LIMIT = 1
    send(client, 1)

    assert "You can send again in 60 minutes" in client.get(NEW).content.decode()


def test_the_counters_are_in_the_shared_cache(client):
    send(client, 1)

    # The window's end, and the count under a name made of it (infra/ratelimit.py).
    ends = cache.get("ratelimit:ticket-address:127.0.0.1")
    assert cache.get(f"ratelimit:ticket-address:127.0.0.1:{ends}") == 1
