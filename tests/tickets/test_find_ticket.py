"""'Find my request': one more tracking link goes to the ticket's email, on the site's configured address; the
links the merchant has keep working, nothing tells a stranger whether it matched, and a stranger's tries never
block the owner. From the tracking page the merchant (only) revokes every link and gets a new one."""

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


def emailed_link(message) -> str:
    return re.search(r"https://help\.example\.com(/\S+/t/\S+/)", message.body).group(1)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://help.example.com/"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]


def test_a_matching_email_gets_a_fresh_link_that_works(sent):
    ticket, _old = sent
    find(ticket.reference.lower(), "WANG@example.com")

    assert [message.to for message in mail.outbox] == [["wang@example.com"]]
    assert Client().get(emailed_link(mail.outbox[0])).status_code == 200


def test_the_merchant_s_link_keeps_working(sent):
    ticket, old = sent
    find(ticket.reference, "wang@example.com")

    assert Client().get(old).status_code == 200


def test_the_emailed_link_is_on_the_site_address_whatever_the_host_header(sent):
    ticket, _old = sent
    Client().post(FIND, {"reference": ticket.reference, "contact": "wang@example.com"}, HTTP_HOST="evil.example")

    assert "evil.example" not in mail.outbox[0].body
    assert Client().get(emailed_link(mail.outbox[0])).status_code == 200


def test_the_receipt_link_is_on_the_site_address_whatever_the_host_header(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/en/tickets/new/", form_data(email="li@example.com"), HTTP_HOST="evil.example")

    (receipt,) = mail.outbox
    assert "evil.example" not in receipt.body
    assert Client().get(emailed_link(receipt)).status_code == 200


def test_the_answer_is_the_same_whether_or_not_the_pair_matched(sent):
    ticket, _old = sent
    matched = find(ticket.reference, "wang@example.com").content.decode()
    wrong = find(ticket.reference, "someone@example.com").content.decode()

    assert len(mail.outbox) == 1
    assert _main(matched) == _main(wrong)
    assert ticket.contact_name not in matched and ticket.terminal_id not in matched


def _main(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.split("<main", 1)[1].split("</main>")[0])


def test_with_sms_off_a_phone_number_gets_how_to_reach_support_and_no_mail(sent, settings):
    settings.SMS_BACKEND = ""
    settings.SUPPORT_PHONE = "400-000-0000"
    ticket, _old = sent
    response = find(ticket.reference, "138 0013 8000")

    assert "400-000-0000" in response.content.decode()
    assert mail.outbox == []
    assert _main(response.content.decode()) == _main(find(ticket.reference, "13900000000").content.decode())


def test_a_stranger_s_wrong_tries_do_not_block_the_owner(sent):
    ticket, _old = sent
    for n in range(10):
        find(ticket.reference, f"guess{n}@example.com", Client(REMOTE_ADDR=f"198.51.100.{n}"))

    response = find(ticket.reference, "wang@example.com", Client(REMOTE_ADDR="203.0.113.5"))

    assert response.status_code == 200
    assert len(mail.outbox) == 1


def test_too_many_tries_from_one_browser_are_refused_with_when_to_try_again(sent):
    ticket, _old = sent
    client = Client()
    for _ in range(5):
        find(ticket.reference, "nobody@example.com", client)

    response = find(ticket.reference, "wang@example.com", client)

    assert response.status_code == 429
    assert "try again in 60 minutes" in response.content.decode()
    assert mail.outbox == []


def test_tries_the_form_refuses_count_too(sent):
    ticket, _old = sent
    client = Client()
    for _ in range(5):
        find("not-a-reference", "nobody", client)

    assert find(ticket.reference, "wang@example.com", client).status_code == 429


def test_an_address_dropping_its_cookies_is_still_limited(sent, settings):
    ticket, _old = sent
    for _ in range(20):
        find(ticket.reference, "nobody@example.com", Client(REMOTE_ADDR="198.51.100.1"))

    assert find(ticket.reference, "wang@example.com", Client(REMOTE_ADDR="198.51.100.1")).status_code == 429


def test_the_owner_s_inbox_is_not_flooded(sent):
    ticket, _old = sent
    for n in range(5):
        find(ticket.reference, "wang@example.com", Client(REMOTE_ADDR=f"198.51.100.{n}"))

    assert len(mail.outbox) == 3


def test_get_shows_the_form_and_only_post_sends(client, sent):
    ticket, _old = sent
    client.get(FIND, {"reference": ticket.reference, "contact": "wang@example.com"})
    assert mail.outbox == []


# --- Revoking every link, on the merchant's own request ---------------------------------------------


def revoke(url, client=None, **data):
    return (client or Client()).post(url + "revoke-links/", data)


def test_the_tracking_page_offers_to_stop_every_link(sent):
    _ticket, old = sent
    body = Client().get(old).content.decode()
    assert "revoke-links/" in body and 'name="confirm"' in body


def test_revoking_needs_a_post(sent):
    _ticket, old = sent
    assert Client().get(old + "revoke-links/").status_code == 405


def test_revoking_without_confirming_changes_nothing(sent):
    _ticket, old = sent
    response = revoke(old)

    assert response.status_code == 302
    assert Client().get(old).status_code == 200


def test_revoking_stops_every_link_and_leads_to_a_new_one(sent):
    ticket, old = sent
    find(ticket.reference, "wang@example.com")
    found = emailed_link(mail.outbox[0])

    response = revoke(old, confirm="yes")
    new = response["Location"]

    assert new not in (old, found) and "/t/" in new
    assert Client().get(old).status_code == 410  # "this link was replaced" (tests/tickets/test_tracking_links.py)
    assert Client().get(found).status_code == 410
    assert Client().get(new).status_code == 200


def test_a_stranger_cannot_revoke(sent):
    _ticket, old = sent
    assert revoke("/en/tickets/t/" + "x" * 43 + "/", confirm="yes").status_code == 404
    assert Client().get(old).status_code == 200
