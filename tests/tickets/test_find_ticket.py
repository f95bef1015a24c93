"""'Find my request': a fresh tracking link goes to the ticket's email; nothing tells a stranger whether it matched."""

import re

import pytest
from django.core import mail
from django.test import Client

from tickets.models import Ticket

from .conftest import form_data

pytestmark = pytest.mark.django_db
FIND = "/en/tickets/find/"


@pytest.fixture
def sent(client):
    response = client.post("/en/tickets/new/", form_data(email="wang@example.com"))
    mail.outbox.clear()
    return Ticket.objects.get(), response["Location"].removesuffix("sent/")


def find(reference, contact, client=None):
    return (client or Client()).post(FIND, {"reference": reference, "contact": contact})


def test_the_find_page_asks_for_the_reference_and_the_contact(client):
    body = client.get(FIND).content.decode()
    assert 'name="reference"' in body and 'name="contact"' in body


def test_a_matching_email_gets_a_fresh_link_that_works(sent):
    ticket, _old = sent
    find(ticket.reference.lower(), "WANG@example.com")

    assert [message.to for message in mail.outbox] == [["wang@example.com"]]
    link = re.search(r"http://testserver(/\S+/t/\S+/)", mail.outbox[0].body).group(1)
    assert Client().get(link).status_code == 200


def test_the_old_link_stops_working(sent):
    ticket, old = sent
    find(ticket.reference, "wang@example.com")

    assert Client().get(old).status_code == 404


def test_the_answer_is_the_same_whether_or_not_the_pair_matched(sent):
    ticket, _old = sent
    matched = find(ticket.reference, "wang@example.com").content.decode()
    wrong = find(ticket.reference, "someone@example.com").content.decode()

    assert len(mail.outbox) == 1
    assert _main(matched) == _main(wrong)
    assert ticket.contact_name not in matched and ticket.terminal_id not in matched


def _main(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.split("<main", 1)[1].split("</main>")[0])


def test_a_phone_number_gets_how_to_reach_support_and_no_mail(sent, settings):
    settings.SUPPORT_PHONE = "400-000-0000"
    ticket, _old = sent
    response = find(ticket.reference, "138 0013 8000")

    assert "400-000-0000" in response.content.decode()
    assert mail.outbox == []
    assert _main(response.content.decode()) == _main(find(ticket.reference, "13900000000").content.decode())


def test_too_many_tries_are_refused_with_when_to_try_again(sent):
    ticket, _old = sent
    client = Client()
    for _ in range(3):
        find(ticket.reference, "nobody@example.com", client)

    response = find(ticket.reference, "wang@example.com", client)

    assert response.status_code == 429
    assert "try again in 60 minutes" in response.content.decode()
    assert mail.outbox == []


def test_get_shows_the_form_and_only_post_sends(client, sent):
    ticket, _old = sent
    client.get(FIND, {"reference": ticket.reference, "contact": "wang@example.com"})
    assert mail.outbox == []
