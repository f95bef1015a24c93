"""Links that keep working: every link given stays valid until the merchant stops them or the ticket has been
closed longer than the retention period; a stopped or expired link says so with the Find form, an unknown one
says nothing; each notification carries the current link."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from tickets import services
from tickets.access import TOKEN_PREFIX
from tickets.models import Ticket, TicketEvent, TrackingLink

from .conftest import form_data
from .test_notice_delivery import mail_server, traveller, work  # noqa: F401 (fixtures: a flaky mail server, the worker)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://help.example.com"


@pytest.fixture
def sent(client):
    response = client.post("/en/tickets/new/", form_data(email="wang@example.com"))
    mail.outbox.clear()
    return Ticket.objects.get(), response["Location"].removesuffix("sent/")


def link_in(message) -> str:
    return re.search(r"https://help\.example\.com(/\S+/t/[\w-]+/)", message.body).group(1)


def find(ticket):
    Client().post("/en/tickets/find/", {"reference": ticket.reference, "contact": "wang@example.com"})
    return link_in(mail.outbox[-1])


def test_every_found_link_and_the_receipt_s_keep_working(sent):
    ticket, receipt = sent
    found = [find(ticket) for _ in range(3)]
    for _ in range(6):  # more than any cap on extra links there used to be
        services.ticket_tracking_link_add(ticket=ticket)

    assert [Client().get(url).status_code for url in (receipt, *found)] == [200, 200, 200, 200]


def test_stopping_links_is_recorded_as_a_ticket_event(sent):
    ticket, receipt = sent
    find(ticket)

    Client().post(receipt + "revoke-links/", {"confirm": "yes"})

    event = ticket.events.get(kind=TicketEvent.Kind.LINKS)
    assert event.actor_kind == "merchant" and (event.old_value, event.new_value) == ("2", "1")


def test_a_stopped_link_says_it_was_replaced_and_offers_the_find_form(sent):
    _ticket, receipt = sent
    Client().post(receipt + "revoke-links/", {"confirm": "yes"})

    response = Client().get(receipt)
    body = response.content.decode()
    assert response.status_code == 410
    assert "This link was replaced" in body
    assert 'action="/en/tickets/find/"' in body and 'name="reference"' in body


def test_a_stopped_link_says_so_in_chinese_too(sent):
    _ticket, receipt = sent
    Client().post(receipt + "revoke-links/", {"confirm": "yes"})

    body = Client().get(receipt.replace("/en/", "/", 1)).content.decode()
    assert "此链接已被替换" in body and "This link" not in body


def test_a_stopped_link_shows_nothing_of_the_ticket(sent):
    ticket, receipt = sent
    Client().post(receipt + "revoke-links/", {"confirm": "yes"})

    body = Client().get(receipt).content.decode()
    assert ticket.reference not in body and ticket.contact_name not in body


def test_a_reply_through_a_stopped_link_is_refused_with_the_same_page(sent):
    ticket, receipt = sent
    Client().post(receipt + "revoke-links/", {"confirm": "yes"})

    response = Client().post(receipt + "reply/", {"body": "hello"})
    assert response.status_code == 410
    assert ticket.messages.count() == 1


def test_an_unknown_link_is_a_plain_404(sent):
    response = Client().get("/en/tickets/t/" + "x" * 43 + "/")
    assert response.status_code == 404
    assert "replaced" not in response.content.decode() and "expired" not in response.content.decode()


def test_a_link_works_until_the_closed_ticket_passes_the_retention_period(sent, settings):
    _ticket, receipt = sent
    settings.TRACKING_LINK_RETENTION_DAYS = 30
    closed_at = timezone.now()
    with time_machine.travel(closed_at, tick=False):
        Client().post(receipt + "close/")
    assert Ticket.objects.get().status == Ticket.Status.CLOSED

    with time_machine.travel(closed_at + timedelta(days=29), tick=False):
        assert Client().get(receipt).status_code == 200
    with time_machine.travel(closed_at + timedelta(days=31), tick=False):
        response = Client().get(receipt)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_an_open_ticket_s_link_never_expires(sent, settings):
    _ticket, receipt = sent
    settings.TRACKING_LINK_RETENTION_DAYS = 1
    with time_machine.travel(timezone.now() + timedelta(days=400), tick=False):
        assert Client().get(receipt).status_code == 200


def test_the_current_link_is_reused_and_rebuilt_without_storing_it(sent):
    ticket, _receipt = sent
    first = services.tracking_link_current(ticket=ticket)
    again = services.tracking_link_current(ticket=ticket)

    assert first == again
    assert not TrackingLink.objects.filter(nonce__contains=first).exists()
    assert Client().get(f"/en/tickets/{TOKEN_PREFIX}{first}/").status_code == 200


def test_after_stopping_the_links_notifications_carry_the_new_one(sent):
    ticket, receipt = sent
    new = Client().post(receipt + "revoke-links/", {"confirm": "yes"})["Location"]

    assert f"/en/tickets/{TOKEN_PREFIX}{services.tracking_link_current(ticket=ticket)}/" == new


def test_a_notice_retried_after_a_mail_outage_carries_one_working_link(
    make_ticket, agent, request, django_capture_on_commit_callbacks
):
    flaky, run_worker = request.getfixturevalue("mail_server"), request.getfixturevalue("work")
    ticket, _token = make_ticket(email="anon@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_agent_reply(ticket=ticket, agent=agent, body="请重新签到")
    flaky.failures = 2

    run_worker()

    [sent] = [m for m in mail.outbox if m.to == ["anon@example.com"]]
    assert Client().get(link_in(sent)).status_code == 200
    assert TrackingLink.objects.filter(ticket=ticket, origin=TrackingLink.Origin.NOTICE).count() == 1


def test_find_sends_no_dead_link_for_a_ticket_closed_past_retention(sent, settings):
    ticket, receipt = sent
    settings.TRACKING_LINK_RETENTION_DAYS = 30
    Client().post(receipt + "close/")
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        response = Client().post("/en/tickets/find/", {"reference": ticket.reference, "contact": "wang@example.com"})
    assert response.status_code == 200  # the same answer as for any pair
    assert mail.outbox == []
