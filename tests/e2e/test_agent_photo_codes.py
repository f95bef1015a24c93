"""An agent on a 1440×900 desktop sees what a ticket's photos read: the codes offered to the classification
with their photo ("A0 (from photo 2)"), the codes in the text under a photo linked to their pages, and the
photos' entries in the timeline; choosing an offered code is one POST and sets the suggestion's code."""

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from tests.agents.ticketpage import create_ticket, fast_passwords  # noqa: F401 (autouse fixture)
from tests.e2e.journey import RequestLog, Shots
from tests.ocr_server import FakeOcrServer, reading_of
from tests.tickets.conftest import photo
from tickets.models import TicketClassification

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ticket(settings, loaded_kb):
    server = FakeOcrServer(
        busy=0, readings=[reading_of("交易时间 2026/12/07 16:51"), reading_of("交易失败 AO校验错", "RESP:A0")]
    )
    settings.OCR_SOCKET = server.path
    made = create_ticket(response_code="", screen_text="", files=[photo("one.jpg"), photo("two.jpg")])
    yield made
    server.close()


def test_the_codes_read_in_the_photos_are_offered_linked_and_in_the_timeline(browser, live_server, agent, ticket):
    client = Client()
    client.force_login(agent)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page, shots = context.new_page(), Shots("agent-photo-codes")
    requests = RequestLog().attach(page)
    page.goto(f"/en/agent/tickets/{ticket.reference}/")

    offered = page.get_by_role("button", name="A0 (from photo 2)")
    expect(offered).to_be_visible()
    expect(page.locator(".photo-text a.log-code-link").first).to_have_attribute("href", "/en/codes/A0/")
    expect(page.locator(".timeline")).to_contain_text("photo 2 read: code A0")
    expect(page.locator(".timeline")).to_contain_text("photo 1 read: no code")
    offered.scroll_into_view_if_needed()
    shots(page, "codes-offered", full_page=True)

    offered.click()
    expect(page.locator("#suggestion")).to_contain_text(re.compile("A0"))
    shots(page, "code-chosen")
    assert TicketClassification.objects.get(ticket=ticket).correct_response_code == "A0"
    assert requests.failures() == []
    assert len(requests.posts("/suggestion/")) == 1
