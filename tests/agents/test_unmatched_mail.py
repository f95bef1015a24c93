"""The agents' unmatched mail page: agents only, adding an email to a ticket or discarding it by POST."""

import pytest
from django.test import Client

from tests.agents.conftest import make_ticket
from tests.tickets.test_inbound_mail import raw
from tickets import services
from tickets.models import InboundMail

pytestmark = pytest.mark.django_db
URL = "/en/agent/mail/"


@pytest.fixture
def waiting_mail(db, settings):
    settings.INBOUND_REPLY_ADDRESS = "support@help.example.com"
    ticket = make_ticket(email="wang@outlook.com")
    row = services.inbound_mail_receive(
        raw=raw("outlook_zh_attachment.eml", ticket, replace=[(b"<wang@outlook.com>", b"<boss@shop.cn>")])
    )
    return ticket, row


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_agent_sees_the_waiting_mail_and_why(agent, waiting_mail):
    ticket, _row = waiting_mail
    body = signed_in(agent).get(URL).content.decode()
    assert "boss@shop.cn" in body and ticket.reference in body
    assert "not the ticket" in body and "附件是今天的终端日志" in body


@pytest.mark.parametrize("who", ["merchant", "editor", "outsider"])
def test_nobody_else_finds_the_page(request, who, waiting_mail):
    _ticket, row = waiting_mail
    client = signed_in(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    assert client.post(f"{URL}{row.pk}/discard/").status_code == 404
    assert Client().get(URL).status_code in (302, 404)


def test_changes_need_a_post(agent, waiting_mail):
    _ticket, row = waiting_mail
    client = signed_in(agent)
    assert client.get(f"{URL}{row.pk}/attach/").status_code == 405
    assert client.get(f"{URL}{row.pk}/discard/").status_code == 405


def test_an_agent_adds_the_mail_to_the_ticket(agent, waiting_mail):
    ticket, row = waiting_mail
    response = signed_in(agent).post(f"{URL}{row.pk}/attach/", {"reference": ticket.reference}, follow=True)
    assert "added to " + ticket.reference in response.content.decode()
    assert ticket.messages.filter(body__contains="附件是今天的终端日志").exists()
    assert InboundMail.objects.get(pk=row.pk).status == InboundMail.Status.ADDED


def test_an_unknown_reference_is_explained(agent, waiting_mail):
    _ticket, row = waiting_mail
    response = signed_in(agent).post(f"{URL}{row.pk}/attach/", {"reference": "POS-2026-999999"}, follow=True)
    assert "No ticket has the reference POS-2026-999999" in response.content.decode()
    assert InboundMail.objects.get(pk=row.pk).status == InboundMail.Status.UNMATCHED


def test_an_agent_discards_the_mail(agent, waiting_mail):
    _ticket, row = waiting_mail
    signed_in(agent).post(f"{URL}{row.pk}/discard/")
    assert InboundMail.objects.get(pk=row.pk).status == InboundMail.Status.DISCARDED
    assert "boss@shop.cn" not in signed_in(agent).get(URL).content.decode()
