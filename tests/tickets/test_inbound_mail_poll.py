"""`manage.py inbound_mail_poll` against a real (tiny, local) IMAP server: replies land once, a server that is
down is logged and tried next time, and nothing is lost or added twice."""

import logging
import socket

import pytest
from django.core.management import CommandError, call_command

from tickets.models import InboundMail, Ticket

from .fake_imap import FakeImap
from .test_inbound_mail import raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def imap(settings):
    settings.INBOUND_REPLY_ADDRESS = "support@help.example.com"
    with FakeImap() as server:
        settings.INBOUND_IMAP_HOST = "127.0.0.1"
        settings.INBOUND_IMAP_PORT = server.port
        settings.INBOUND_IMAP_SSL = False
        settings.INBOUND_IMAP_USER = "support"
        settings.INBOUND_IMAP_PASSWORD = "secret"
        settings.INBOUND_IMAP_TIMEOUT = 5
        yield server


@pytest.fixture
def ticket(make_ticket) -> Ticket:
    made, _token = make_ticket(email="wang@qq.com")
    return made


def test_the_poll_adds_each_unread_reply_and_marks_it_read(imap, ticket):
    imap.mailbox.messages = {1: raw("qq_mail_gb18030.eml", ticket), 2: raw("bounce_dsn.eml", ticket)}

    call_command("inbound_mail_poll")

    assert ticket.messages.filter(body__contains="打印机还是提示缺纸").count() == 1
    assert imap.mailbox.seen == {1, 2}
    assert sorted(InboundMail.objects.values_list("status", flat=True)) == ["added", "dropped"]


def test_a_poll_that_could_not_mark_a_message_read_adds_it_once(imap, ticket):
    imap.mailbox.messages = {1: raw("qq_mail_gb18030.eml", ticket)}
    imap.mailbox.refuse_store = True
    with pytest.raises(CommandError):
        call_command("inbound_mail_poll")
    imap.mailbox.refuse_store = False

    call_command("inbound_mail_poll")

    assert ticket.messages.filter(body__contains="打印机还是提示缺纸").count() == 1
    assert imap.mailbox.seen == {1}


def test_a_mailbox_that_is_down_is_logged_and_read_next_time(imap, ticket, settings, caplog):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        settings.INBOUND_IMAP_PORT = probe.getsockname()[1]
    with caplog.at_level(logging.ERROR), pytest.raises(CommandError):
        call_command("inbound_mail_poll")
    assert "Could not read the reply mailbox" in caplog.text

    settings.INBOUND_IMAP_PORT = imap.port
    imap.mailbox.messages = {1: raw("qq_mail_gb18030.eml", ticket)}
    call_command("inbound_mail_poll")
    assert ticket.messages.filter(body__contains="打印机还是提示缺纸").count() == 1


def test_without_a_mailbox_the_poll_does_nothing(settings, capsys):
    settings.INBOUND_IMAP_HOST = ""
    call_command("inbound_mail_poll")
    assert "nothing to read" in capsys.readouterr().out
