"""A signed-in merchant's terminals are remembered and can be picked instead of typed (also without JavaScript)."""

import pytest

from tickets.models import Ticket

from .conftest import form_data

pytestmark = pytest.mark.django_db
NEW = "/en/tickets/new/"
SHOP = {"merchant_id": "102310058120001", "terminal_id": "12345678", "terminal_model": "新大陆 ME31"}
KIOSK = {"merchant_id": "102310058120001", "terminal_id": "87654321", "terminal_model": "联迪 A8"}


@pytest.fixture
def two_terminals(client, merchant):
    client.force_login(merchant)
    for index, terminal in enumerate((SHOP, KIOSK)):
        client.post(NEW, form_data(submission_key=f"{'ab'[index]}" * 32, **terminal))
    assert Ticket.objects.filter(requester=merchant).count() == 2
    return client


def test_the_form_lists_the_merchants_terminals(two_terminals):
    body = two_terminals.get(NEW).content.decode()

    assert "TID 87654321 · 联迪 A8" in body
    assert "TID 12345678 · 新大陆 ME31" in body


def test_picking_a_terminal_without_javascript_fills_its_fields(two_terminals):
    two_terminals.post(NEW, form_data(submission_key="c" * 32, merchant_id="", terminal_id="", known_terminal="1"))

    assert Ticket.objects.latest("pk").terminal_id == "12345678"


def test_the_pick_replaces_the_prefilled_terminal(two_terminals):
    # The form opens with the last terminal filled in; the merchant picks the other one.
    two_terminals.post(NEW, form_data(submission_key="d" * 32, known_terminal="1", **KIOSK))

    assert Ticket.objects.latest("pk").terminal_id == SHOP["terminal_id"]


def test_a_typed_new_terminal_wins_over_the_pick(two_terminals):
    two_terminals.post(NEW, form_data(submission_key="e" * 32, terminal_id="11112222", known_terminal="0"))

    assert Ticket.objects.latest("pk").terminal_id == "11112222"


def test_someone_else_sees_no_terminals(client, two_terminals, outsider):
    client.force_login(outsider)

    assert "TID 12345678" not in client.get(NEW).content.decode()
