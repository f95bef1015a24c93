"""Issue 18 §4.4 in a real browser: under the Content-Security-Policy every page's scripts and styles still
load and run, and the browser reports no violation or header error on the merchant's and the agent's paths."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.agents.ticketpage import create_ticket, fast_passwords  # noqa: F401 (autouse fixture)
from tests.e2e.journey import ConsoleLog, RequestLog
from tests.tickets.conftest import image_bytes, log_file

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_merchant_s_pages_run_under_the_policy(desktop, loaded_kb):
    console, requests = ConsoleLog().attach(desktop), RequestLog().attach(desktop)

    desktop.goto("/en/")
    desktop.locator("input[name=q]").first.fill("sign")  # the suggestions script fetches as the merchant types
    desktop.wait_for_timeout(500)
    desktop.goto("/en/codes/A0/")
    desktop.goto("/en/tickets/new/")
    # The chosen photo is previewed from a blob: URL, which img-src allows.
    desktop.set_input_files("#id_photos", files=[{"name": "a.jpg", "mimeType": "image/jpeg", "buffer": image_bytes()}])
    desktop.wait_for_timeout(300)

    assert console.errors() == []
    assert requests.failures() == []


def test_the_agent_console_runs_under_the_policy(browser, live_server, agent, loaded_kb):
    ticket = create_ticket(files=[log_file("pos.log", "10:00 RC=A0 SIGN ON FAIL\n")])
    client = Client()
    client.force_login(agent)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    console, requests = ConsoleLog().attach(page), RequestLog().attach(page)

    page.goto("/en/agent/")
    page.goto(f"/en/agent/tickets/{ticket.reference}/")
    expect(page.locator("h1")).to_have_text(ticket.reference)
    page.goto(f"/en/agent/tickets/{ticket.reference}/logs/{ticket.attachments.get().pk}/")
    page.goto("/admin/login/")

    assert console.errors() == []
    assert requests.failures() == []
    context.close()
