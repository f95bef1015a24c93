"""Helpers for the ticket page tests: tickets made through the intake service, as merchants make them."""

import itertools

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.tickets.conftest import image_bytes, log_file, photo
from tickets import services
from tickets.services import TicketDetails

_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Imported by each ticket page test module: the personas' passwords are hashed on every test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def create_ticket(*, requester=None, files=(), language="zh-hans", **overrides):
    values = {
        "contact_name": "王芳",
        "phone": "13800138000",
        "email": "wang@example.com",
        "merchant_id": "102310058120001",
        "terminal_id": "12345678",
        "occurred_at": timezone.now(),
        "description": "刷卡提示请重新签到",
        "response_code": "A0",
        "screen_text": "MAC校验错 请重新签到",
        "steps": ["开机", "操作员签到", "刷卡"],
    }
    values.update(overrides)
    return services.ticket_create(
        requester=requester,
        details=TicketDetails(**values),
        submission_key=f"ticketpage-{next(_keys):06d}-padding-padding",
        files=files,
        language=language,
    )


def worked_ticket(*, merchant, agent, colleague=None, messages: int, photos: int, logs: int, on_commit):
    """A ticket as a merchant and two agents work it: replies, notes, files, assignments, a priority change.

    Created inside `on_commit(execute=True)` (pytest-django's django_capture_on_commit_callbacks), so what
    runs after the commit in production (the classification task) has run, as it would have by then."""
    colleague = colleague or agent
    with on_commit(execute=True):
        ticket = create_ticket(requester=merchant, files=[photo(f"p{n}.jpg") for n in range(photos)])
    if logs:
        services.ticket_reply(
            ticket=ticket, author=merchant, body="补充日志", files=[log_file(f"l{n}.log") for n in range(logs)]
        )
    services.ticket_assign(ticket=ticket, agent=agent, assignee=colleague)
    services.ticket_assign(ticket=ticket, agent=agent, assignee=agent)
    services.ticket_priority_set(ticket=ticket, agent=agent, priority="high")
    writers = [
        lambda n: services.ticket_agent_reply(ticket=ticket, agent=agent, body=f"回复 {n}"),
        lambda n: services.ticket_note_add(ticket=ticket, agent=colleague, body=f"备注 {n}"),
        lambda n: services.ticket_reply(ticket=ticket, author=merchant, body=f"商户 {n}"),
    ]
    for n in range(messages - ticket.messages.count()):
        writers[n % len(writers)](n)
    assert (ticket.messages.count(), ticket.attachments.count()) == (messages, photos + logs)
    return ticket


def page_url(ticket, name="agents:ticket", **kwargs):
    with translation.override("zh-hans"):
        return reverse(name, kwargs={"reference": ticket.reference, **kwargs})


__all__ = ["create_ticket", "fast_passwords", "image_bytes", "page_url", "worked_ticket"]
