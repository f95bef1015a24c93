"""Merchant accounts: sign up, see all their tickets, get the form pre-filled."""

import pytest
from django.contrib.auth import get_user_model

from tickets.models import Ticket

from .conftest import form_data

pytestmark = pytest.mark.django_db


def test_a_merchant_can_sign_up_and_is_signed_in(client):
    response = client.post(
        "/en/tickets/signup/",
        {
            "username": "shop88",
            "email": "shop88@example.com",
            "password1": "Sl0w-Terminal-88",
            "password2": "Sl0w-Terminal-88",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="shop88")
    assert user.email == "shop88@example.com"
    assert client.get("/en/tickets/").status_code == 200


def test_sign_up_explains_a_bad_email(client):
    response = client.post(
        "/en/tickets/signup/",
        {"username": "shop88", "email": "x@", "password1": "Sl0w-Terminal-88", "password2": "Sl0w-Terminal-88"},
    )
    assert response.status_code == 400
    assert "This email address is not complete" in response.content.decode()


def test_my_tickets_needs_an_account(client):
    response = client.get("/en/tickets/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_my_tickets_lists_only_my_own(client, make_ticket, merchant, outsider):
    mine, _token = make_ticket(requester=merchant)
    theirs, _token = make_ticket(requester=outsider)
    client.force_login(merchant)
    body = client.get("/en/tickets/").content.decode()
    assert mine.reference in body
    assert theirs.reference not in body


def test_a_signed_in_merchants_ticket_belongs_to_them(client, merchant):
    client.force_login(merchant)
    client.post("/en/tickets/new/", form_data())
    assert Ticket.objects.get().requester == merchant


def test_the_form_is_prefilled_from_the_last_ticket(client, make_ticket, merchant):
    make_ticket(requester=merchant, merchant_id="10231005812ABCD", terminal_id="T0000042", contact_name="李雷")
    client.force_login(merchant)
    body = client.get("/en/tickets/new/").content.decode()
    assert 'value="10231005812ABCD"' in body
    assert 'value="T0000042"' in body
    assert 'value="李雷"' in body


def test_the_login_page_is_translated(client):
    assert "登录" in client.get("/accounts/login/").content.decode()
    assert "Sign in" in client.get("/en/accounts/login/").content.decode()
