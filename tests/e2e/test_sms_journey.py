"""A merchant who gives only a mobile number, in WeChat on a 390×844 phone: the receipt comes by SMS (the
locmem backend), its link opens the tracking page, support's answer comes by SMS too; with the link lost,
"Find my request" by phone sends a code that opens the ticket again, and the first link still works."""

import re

import pytest
from playwright.sync_api import expect

from infra import sms
from tests.e2e.journey import WECHAT_UA, ConsoleLog, RequestLog, Shots
from tests.e2e.test_accessibility import serious_violations
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wechat(browser, live_server, settings):
    settings.SITE_URL = live_server.url  # the SMS links lead to this server
    settings.SMS_SIGN_NAME = "POS服务"
    settings.SUPPORT_PHONE, settings.SUPPORT_HOURS = "400-820-0000", "09:00–21:00"
    settings.SUPPORT_FIRST_REPLY_HOURS = 2

    def open_phone():
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            user_agent=WECHAT_UA,
        )
        context.set_default_timeout(10_000)
        return context, context.new_page()

    contexts = []

    def phone():
        context, page = open_phone()
        contexts.append(context)
        return page

    yield phone
    for context in contexts:
        context.close()


def path_of(link: str, live_server) -> str:
    return link.removeprefix(live_server.url)


def sms_of(kind: str) -> sms.SmsMessage:
    [message] = [m for m in sms.outbox if m.kind == kind]
    assert len(message.text) <= sms.SMS_MAX_CHARS, message.text
    return message


def _file_phone_only(page, requests, shots) -> tuple[Ticket, str]:
    """The form with a mobile number and no email; returns the ticket and the first tracking link."""
    page.goto("/tickets/new/")
    expect(page.locator(".support-contact")).to_contain_text("400-820-0000")
    shots(page, "contact-page-top")
    page.check("#id_occurred_when_0")  # "just now": the form suggests no time of its own
    page.fill("#id_description", "刷卡提示请重新签到，签到后仍然失败")
    page.fill("#id_contact_name", "王芳")
    page.fill("#id_phone", "138 0013 8000")
    page.fill("#id_merchant_id", "102310058120001")
    page.fill("#id_terminal_id", "12345678")
    shots(page, "form-phone-only")
    page.locator("button.send").last.click()
    expect(page).to_have_url(re.compile(r"/tickets/t/[\w-]+/sent/$"))
    ticket = Ticket.objects.get()
    assert (ticket.phone, ticket.email) == ("13800138000", "")
    assert len(requests.posts("/tickets/new/")) == 1
    expect(page.locator("main")).to_contain_text("尾号 8000")
    shots(page, "sent")
    return ticket, page.url.removesuffix("sent/")


def _follow_the_sms_links(page, live_server, shots, ticket: Ticket, agent) -> None:
    # The receipt SMS: its short link opens the tracking page.
    receipt = sms_of("ticket_receipt")
    assert receipt.to == "13800138000" and "工单已受理" in receipt.text
    page.goto(path_of(receipt.params["link"], live_server))
    expect(page).to_have_url(re.compile(r"/tickets/t/[\w-]+/$"))
    expect(page.locator("main")).to_contain_text(ticket.reference)
    shots(page, "tracking-from-receipt-sms")

    # Support answers; the SMS says so and its link shows the answer.
    services.ticket_agent_reply(ticket=ticket, agent=agent, body="请在终端上重新签到后再试一次。")
    reply = sms_of("agent_reply")
    assert "客服已回复" in reply.text and "重新签到" not in reply.text
    page.goto(path_of(reply.params["link"], live_server))
    expect(page.locator("main")).to_contain_text("请在终端上重新签到后再试一次。")
    shots(page, "tracking-from-reply-sms")


def _find_again_by_code(page, requests, console, shots, ticket: Ticket) -> None:
    page.goto("/tickets/find/")
    expect(page.locator(".support-contact")).to_contain_text("09:00–21:00")
    shots(page, "find")
    page.fill("#id_reference", "12345678")  # the TID, as printed on the terminal
    page.fill("#id_contact", "13800138000")
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/tickets/find/code/$"))
    expect(page.locator("#id_code")).to_have_attribute("autocomplete", "one-time-code")
    assert serious_violations(page) == []
    shots(page, "code-page")

    page.fill("#id_code", "000000" if sms_of("find_code").params["code"] != "000000" else "111111")
    page.locator("main button[type=submit]").click()
    expect(page.locator(".errorlist")).to_contain_text("验证码错误或已过期")
    shots(page, "code-wrong")
    page.fill("#id_code", sms_of("find_code").params["code"])
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/tickets/t/[\w-]+/$"))
    expect(page.locator("main")).to_contain_text(ticket.reference)
    shots(page, "found-by-code")
    assert len(requests.posts("/tickets/find/")) == 3  # the request, the wrong code, the right one
    assert [entry for entry in requests.failures() if not entry[1].endswith("/tickets/find/code/")] == []
    assert console.errors() == [] or all("400" in error for error in console.errors())


def test_a_phone_only_merchant_follows_the_request_by_sms_and_finds_it_again_by_code(wechat, live_server, agent):
    shots = Shots("sms-phone-only")
    page = wechat()
    requests, console = RequestLog().attach(page), ConsoleLog().attach(page)
    ticket, first_link = _file_phone_only(page, requests, shots)
    _follow_the_sms_links(page, live_server, shots, ticket, agent)
    assert requests.failures() == [] and console.errors() == []

    # Another day, the link lost: find the request by phone.
    sms.outbox.clear()
    page = wechat()
    requests, console = RequestLog().attach(page), ConsoleLog().attach(page)
    _find_again_by_code(page, requests, console, shots, ticket)

    # The new link came by SMS too, and the very first link still works.
    kept = sms_of("tracking_link")
    assert page.goto(path_of(kept.params["link"], live_server)).ok
    assert page.goto(first_link).ok
    shots(page, "first-link-still-works")


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_find_pages_have_no_serious_accessibility_violation(wechat, prefix, settings):
    page = wechat()
    page.goto(prefix + "/tickets/find/")
    assert serious_violations(page) == []
    page.fill("#id_reference", "POS-2026-000001")
    page.fill("#id_contact", "13800138000")
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/find/code/$"))
    page.locator("main button[type=submit]").click()  # no code: the error as the merchant sees it
    expect(page.locator(".errorlist")).to_be_visible()
    Shots(f"sms-find{prefix.replace('/', '-') or '-zh'}")(page, "code-error")
    assert serious_violations(page) == []
