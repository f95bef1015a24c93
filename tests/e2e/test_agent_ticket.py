"""An agent works a ticket in the console while the merchant follows it on the tracking page."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.agents.ticketpage import create_ticket, fast_passwords  # noqa: F401 (autouse fixture)
from tests.tickets.conftest import photo

pytestmark = pytest.mark.django_db(transaction=True)

REPLY = "请在主菜单选择“签到”，做一次POS签到后再刷卡。"
NOTE = "内部：怀疑密钥不同步，明天回访"


def _signed_in(browser, live_server, user, **options):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def _recorded(page) -> list[tuple[str, str, int]]:
    log: list[tuple[str, str, int]] = []
    page.on("response", lambda response: log.append((response.request.method, response.url, response.status)))
    return log


def test_an_agent_replies_notes_and_resolves_and_the_merchant_sees_only_the_reply(browser, live_server, agent):
    ticket = create_ticket(files=[photo("screen.jpg")])
    context = _signed_in(browser, live_server, agent, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests = _recorded(page)
    page.goto(f"/en/agent/tickets/{ticket.reference}/")
    expect(page.locator("h1")).to_have_text(ticket.reference)

    page.fill("#reply-body", REPLY)
    page.get_by_role("button", name="Send reply to the merchant").click()
    expect(page.locator(".conversation")).to_contain_text(REPLY)

    page.locator("label[for=mode-note]").click()  # the composer's note tab
    page.fill("#reply-body", NOTE)
    page.get_by_role("button", name="Add internal note").click()
    note = page.locator(".message-note")
    expect(note).to_contain_text(NOTE)
    expect(note.locator(".note-label")).to_have_text("Internal note")

    page.select_option("#status", "resolved")
    page.get_by_role("button", name="Save status").click()
    expect(page.locator(".ticket-badges")).to_contain_text("Resolved")
    expect(page.locator(".timeline")).to_contain_text("Resolved")

    failed = [entry for entry in requests if entry[2] >= 400]
    assert failed == []
    posts = [url for method, url, _status in requests if method == "POST" and "/presence/" not in url]
    assert [url.rsplit("/", 2)[-2] for url in posts] == ["reply", "reply", "status"]
    context.close()

    merchant = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True)
    tracking = merchant.new_page()
    merchant_requests = _recorded(tracking)
    tracking.goto(f"/en/tickets/t/{ticket.access_token}/")
    expect(tracking.locator("#answer")).to_contain_text(REPLY)  # the newest answer opens the merchant's page
    expect(tracking.locator("body")).not_to_contain_text(NOTE)
    assert [entry for entry in merchant_requests if entry[2] >= 400] == []
    merchant.close()


def test_the_gallery_enlarges_photos_and_moves_with_the_keyboard(browser, live_server, agent):
    files = [photo("first.jpg"), photo("second.jpg")]
    ticket = create_ticket(files=files)
    context = _signed_in(browser, live_server, agent, viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    page.goto(f"/en/agent/tickets/{ticket.reference}/")
    page.locator(".gallery-item").first.click()
    dialog = page.locator("#lightbox")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#lightbox-caption")).to_contain_text("first.jpg")
    page.keyboard.press("ArrowRight")
    expect(dialog.locator("#lightbox-caption")).to_contain_text("second.jpg")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator(".gallery-item").first).to_be_focused()
    context.close()


def test_an_agent_moves_a_ticket_to_another_team_from_the_properties_panel(browser, live_server, agent):
    from tests.e2e.journey import Shots
    from tickets.services.routing import team_save

    team_save(actor=agent, name="拉卡拉组", members=[agent])
    shenzhen = team_save(actor=agent, name="深圳组", members=[agent])
    ticket = create_ticket()
    context = _signed_in(browser, live_server, agent, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    requests = _recorded(page)
    page.goto(f"/en/agent/tickets/{ticket.reference}/")
    team = page.locator("#team")
    expect(team).to_be_visible()
    expect(team.locator("option:checked")).to_have_text("No team")
    expect(page.locator(".ticket-team")).to_have_text("Team: —")

    team.select_option(label="深圳组")
    page.get_by_role("button", name="Save team").click()
    expect(page.locator(".messages")).to_contain_text("Team saved.")
    expect(page.locator(".ticket-team")).to_have_text("Team: 深圳组")
    expect(page.locator("#team option:checked")).to_have_text("深圳组")
    expect(page.locator(".timeline")).to_contain_text("Team — → 深圳组")
    shots = Shots("console-team")
    shots(page, "ticket-team-changed-en-1440x900")

    page.goto(f"/agent/tickets/{ticket.reference}/")
    expect(page.locator(".timeline")).to_contain_text("团队 — → 深圳组")
    shots(page, "ticket-team-changed-zh-1440x900")

    failed = [entry for entry in requests if entry[2] >= 400]
    assert failed == []
    posts = [url for method, url, _status in requests if method == "POST" and "/presence/" not in url]
    assert [url.rsplit("/", 2)[-2] for url in posts] == ["team"]
    assert ticket.__class__.objects.get(pk=ticket.pk).team_id == shenzhen.pk
    context.close()
