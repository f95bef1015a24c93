"""Migration 0004_search_text: tickets filed before the column become searchable, messages included."""

import pytest

from tests.tickets.test_migrations import executor_leaf, migrate, old_ticket

pytestmark = pytest.mark.django_db(transaction=True)


def test_existing_tickets_get_a_normalized_search_text_from_their_fields_and_later_messages():
    apps = migrate([("tickets", "0002_console")])
    Message = apps.get_model("tickets", "TicketMessage")
    ticket = old_ticket(apps, 7, "open")
    Message.objects.create(ticket=ticket, author_role="merchant", body="第一条就是描述")
    Message.objects.create(ticket=ticket, author_role="merchant", body="還是提示重新簽到")
    try:
        apps = migrate([("tickets", "0004_search_text")])
        text = apps.get_model("tickets", "Ticket").objects.get(pk=ticket.pk).search_text
        assert "pos 2026 000007" in text
        assert "12345678" in text
        assert "还是提示重新签到" in text
        assert "第一条就是描述" not in text
    finally:
        migrate(executor_leaf())
