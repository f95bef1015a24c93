"""Tickets for the console tests: made by the intake service (so their search text is real) or in bulk."""

import itertools

import pytest
from django.utils import timezone

from tickets.models import Ticket
from tickets.search import search_text_for
from tickets.services import TicketDetails, ticket_create

_keys = itertools.count(1)


def details(**overrides) -> TicketDetails:
    values = {
        "contact_name": "王芳",
        "merchant_id": "102310058120001",
        "terminal_id": "12345678",
        "occurred_at": timezone.now(),
        "description": "刷卡收款时提示请重新签到，签到后仍然失败。",
        "phone": "13800138000",
        "acquirer": "银联商务",
        "response_code": "A0",
        "screen_text": "MAC校验错",
    }
    values.update(overrides)
    return TicketDetails(**values)


def make_ticket(**overrides) -> Ticket:
    """A ticket as a merchant files it; fields the form does not take (status, due times…) are set after."""
    later = {name: overrides.pop(name) for name in list(overrides) if name not in TicketDetails.__dataclass_fields__}
    ticket = ticket_create(requester=None, details=details(**overrides), submission_key=f"key-{next(_keys):040d}")
    if later:
        Ticket.objects.filter(pk=ticket.pk).update(**later)
        ticket.refresh_from_db()
    return ticket


def bulk_tickets(count: int, *, start: int = 0, **overrides) -> list[Ticket]:
    """Many tickets in one INSERT (no messages or events): for counting queries at scale."""
    now = timezone.now()
    rows = []
    for n in range(start, start + count):
        values = {
            "reference": f"POS-2026-{900000 + n:06d}",
            "access_token_hash": f"{n:064d}",
            "submission_key": f"bulk-{n:059d}",
            "contact_name": "李雷",
            "phone": "13800138000",
            "merchant_id": f"{102310058120000 + n}",
            "terminal_id": f"{10000000 + n}",
            "occurred_at": now,
            "description": f"第{n}笔交易失败",
            "response_code": "05",
            "first_response_due": now + timezone.timedelta(hours=n % 48 - 4),
        }
        values.update(overrides)
        ticket = Ticket(**values)
        ticket.search_text = search_text_for(reference=ticket.reference, values=ticket)
        rows.append(ticket)
    return Ticket.objects.bulk_create(rows)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def colleague(agent):
    """A second agent, in the same group."""
    from django.contrib.auth import get_user_model

    other = get_user_model().objects.create_user(username="colleague", password="colleague-pass-123", is_staff=True)
    other.groups.set(agent.groups.all())
    return other
