"""A hosted provider's inbound webhook (django-anymail, here Postmark's raw-email form) adds a reply the same
way as IMAP; without the shared secret nobody can post one."""

import base64
import json

import pytest

from tickets.models import InboundMail

from .test_inbound_mail import raw

pytestmark = pytest.mark.django_db
URL = "/inbound/postmark/inbound/"


@pytest.fixture
def ticket(make_ticket, settings):
    settings.INBOUND_REPLY_ADDRESS = "support@help.example.com"
    made, _token = make_ticket(email="li_shop@163.com")
    return made


def post(client, ticket, secret="hook:s3cret"):  # noqa: S107 (a test secret)
    payload = {"RawEmail": raw("netease_163_html_only_gbk.eml", ticket).decode("ascii"), "Headers": []}
    auth = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()} if secret else {}
    return client.post(URL, json.dumps(payload), content_type="application/json", **auth)


def test_a_posted_reply_lands_in_the_conversation(client, ticket, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}

    assert post(client, ticket).status_code == 200

    assert ticket.messages.filter(body__contains="终端今天又死机了两次").count() == 1


def test_a_post_without_the_secret_is_refused(client, ticket, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}

    assert post(client, ticket, secret="hook:wrong").status_code == 400
    assert not InboundMail.objects.exists()


def test_with_no_secret_configured_nothing_is_accepted(client, ticket, settings):
    settings.ANYMAIL = {}

    with pytest.warns(Warning):
        post(client, ticket, secret="")

    assert not InboundMail.objects.exists() and ticket.messages.count() == 1
