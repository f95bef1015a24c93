"""An agent works the queue from the keyboard while the queue refreshes itself and picks up a new ticket."""

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from tests.agents.conftest import make_ticket
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed_in(desktop, agent, live_server, settings):
    settings.AGENT_QUEUE_POLL_SECONDS = 0.5
    client = Client()
    client.force_login(agent)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    desktop.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    failed = []
    desktop.on("response", lambda response: failed.append(response) if response.status >= 400 else None)
    desktop.failed = failed
    return desktop


def _current(page):
    return page.locator(".queue-row.current")


def test_an_agent_moves_through_the_queue_with_the_keyboard_and_sees_new_tickets_arrive(signed_in, agent):
    page = signed_in
    now = timezone.now()
    first = make_ticket(first_response_due=now + timedelta(hours=1))
    second = make_ticket(first_response_due=now + timedelta(hours=2))
    make_ticket(first_response_due=now + timedelta(hours=3))
    page.goto("/en/agent/")
    expect(page).to_have_title(re.compile(r"^3 unread · \(3\) Queue"))

    page.keyboard.press("j")
    expect(_current(page)).to_have_attribute("data-reference", first.reference)
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(_current(page)).to_have_attribute("data-reference", second.reference)
    page.keyboard.press("x")
    expect(_current(page).locator("input[name=ids]")).to_be_checked()

    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    expect(page.locator("#shortcuts")).to_contain_text("Assign the selected (or current) tickets to me")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_hidden()

    # Typing in the search box types; it does not move through the queue.
    page.fill("#id_q", "")
    page.locator("#id_q").press("j")
    expect(page.locator("#id_q")).to_have_value("j")
    expect(_current(page)).to_have_attribute("data-reference", second.reference)

    # Nothing changed yet: the poll costs a 304. Then a merchant files a ticket and it appears, no reload.
    with page.expect_response(lambda r: "/queue/rows/" in r.url and r.status == 304):
        pass
    arrived = make_ticket(first_response_due=now + timedelta(minutes=30), description="新工单：打印机不出纸")
    expect(page.locator(f'tr[data-reference="{arrived.reference}"]')).to_be_visible()
    expect(page).to_have_title(re.compile(r"^4 unread · \(4\) Queue"))
    expect(_current(page)).to_have_attribute("data-reference", second.reference)
    expect(_current(page).locator("input[name=ids]")).to_be_checked()

    # "a" assigns the selected ticket to me, with one POST.
    page.evaluate("document.activeElement.blur()")
    with page.expect_request(lambda r: r.method == "POST"):
        page.keyboard.press("a")
    expect(page.locator(".messages")).to_contain_text("1 ticket updated.")
    assert Ticket.objects.get(pk=second.pk).assignee == agent
    assert Ticket.objects.filter(assignee=agent).count() == 1

    page.keyboard.press("j")
    expect(_current(page)).to_have_attribute("data-reference", arrived.reference)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/en/agent/tickets/{arrived.reference}/$"))
    assert [(r.status, r.url) for r in page.failed] == []
