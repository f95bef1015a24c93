"""Helpers for the ticket page tests: tickets made through the intake service, as merchants make them."""

import itertools

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.tickets.conftest import image_bytes
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


def page_url(ticket, name="agents:ticket", **kwargs):
    with translation.override("zh-hans"):
        return reverse(name, kwargs={"reference": ticket.reference, **kwargs})


__all__ = ["create_ticket", "fast_passwords", "image_bytes", "page_url"]
