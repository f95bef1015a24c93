"""The unread marker as an agent sees it: a merchant replies while the queue is open and the row turns bold with
a dot, the view's badge and the tab title count it, without a reload; opening the ticket clears it."""

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.agents.conftest import make_ticket
from tests.e2e.journey import Shots
from tickets.models import Ticket
from tickets.services import ticket_reply

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue_page(browser, live_server, agent, settings):
    settings.AGENT_QUEUE_POLL_SECONDS = 0.5
    client = Client()
    client.force_login(agent)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.failed = []
    page.on("response", lambda response: page.failed.append(response.url) if response.status >= 400 else None)
    yield page
    context.close()


def _row(page, ticket):
    return page.locator(f'tr.queue-row[data-reference="{ticket.reference}"]')


def test_a_merchant_reply_marks_the_row_while_the_queue_is_open_and_opening_clears_it(queue_page, agent):
    page = queue_page
    shots = Shots("queue-unread")
    now = timezone.now()
    first = make_ticket(assignee=agent, first_response_due=now + timedelta(hours=1))
    second = make_ticket(assignee=agent, first_response_due=now + timedelta(hours=2))

    # Both are new to this agent; opening one clears its marker.
    page.goto("/en/agent/?view=mine")
    expect(_row(page, first)).to_have_class(re.compile(r"\bunread\b"))
    page.locator(f'a.ticket-link[href$="/{first.reference}/"]').click()
    page.go_back()
    page.reload()
    expect(_row(page, first)).not_to_have_class(re.compile(r"\bunread\b"))
    expect(_row(page, second)).to_have_class(re.compile(r"\bunread\b"))
    expect(page).to_have_title(re.compile(r"^1 unread · \(2\) Queue"))
    expect(page.locator('.view-unread[data-view="mine"]')).to_have_text(re.compile(r"^1"))
    shots(page, "one-unread")

    # The merchant writes again while the agent looks at the queue: the row turns bold with a dot, no reload.
    ticket_reply(ticket=Ticket.objects.get(pk=first.pk), author=None, body="还是不行，又提示重新签到")
    row = _row(page, first)
    expect(row).to_have_class(re.compile(r"\bunread\b"))
    expect(row.locator(".unread-dot")).to_be_visible()
    weight = row.locator(".ticket-link").evaluate("a => getComputedStyle(a).fontWeight")
    assert int(weight) >= 700
    expect(row.locator("td.last-from")).to_have_text("Merchant")
    expect(page).to_have_title(re.compile(r"^2 unread · \(2\) Queue"))
    expect(page.locator('.view-unread[data-view="mine"]')).to_have_text(re.compile(r"^2"))
    shots(page, "reply-arrived")
    assert page.failed == []


def test_coming_back_to_the_tab_asks_at_once_and_a_failed_poll_changes_nothing(queue_page, agent, settings):
    settings.AGENT_QUEUE_POLL_SECONDS = 600  # no tick during the test: only the tab's return asks
    page = queue_page
    ticket = make_ticket(assignee=agent)
    page.goto("/en/agent/")
    expect(_row(page, ticket)).to_be_visible()

    with page.expect_response(lambda response: "/queue/rows/" in response.url):
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")

    # The server fails: the rows, the title and the page stay as they were, with no message to dismiss.
    page.route("**/queue/rows/**", lambda route: route.fulfill(status=500, body="boom"))
    title = page.title()
    # The script asks again only once the first answer is handled (one request at a time): come back until
    # it does, as an agent switching tabs would.
    for _attempt in range(5):
        try:
            with page.expect_response(
                lambda response: "/queue/rows/" in response.url and response.status == 500, timeout=2000
            ):
                page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
            break
        except PlaywrightTimeoutError:
            continue
    else:
        raise AssertionError("coming back to the tab never asked again")
    expect(_row(page, ticket)).to_be_visible()
    assert page.title() == title
    assert "boom" not in page.content()
