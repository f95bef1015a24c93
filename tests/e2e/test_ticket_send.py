"""Sending a ticket from a 390×844 phone: one POST per send, no failed request, what the first screen shows."""

import contextlib
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journey import RequestLog, Shots
from tests.tickets.conftest import image_bytes
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def fill_required(page):
    page.fill("#id_description", "刷卡提示请重新签到，签到后仍然失败")
    page.check("#id_occurred_when_0")  # "just now": the form suggests no time of its own
    page.fill("#id_contact_name", "王芳")
    page.fill("#id_phone", "13800138000")
    page.fill("#id_merchant_id", "102310058120001")
    page.fill("#id_terminal_id", "12345678")


def test_pressing_send_while_suggestions_are_still_due_asks_for_none_after_it(phone):
    log = RequestLog().attach(phone)
    phone.clock.install()  # the page's timers run on a clock this test moves
    phone.goto("/tickets/new/")
    fill_required(phone)
    phone.fill("#id_description", "刷卡提示请重新签到，签到后仍然失败，终端号 12345678")  # suggestions due in 0.4 s
    # A slow link: the send is held on its way while the page's clock runs a second, long past the moment
    # the suggestions were due.
    held = []
    phone.route("**/tickets/new/", lambda route: held.append(route))
    log.clear()
    # Requests the page starts from now on (the log records answers, and a suggestion asked for while the
    # form was filled may be answered after this point on a busy machine: that one is not the question).
    asked = []
    phone.on("request", lambda request: asked.append(request.url))

    phone.locator("button.send").click()
    for _round_trip in range(100):  # the held send reaches the handler within a round trip or two
        if held:
            break
        phone.evaluate("0")
    assert len(held) == 1
    phone.clock.run_for(1000)
    held.pop().continue_()

    expect(phone).to_have_url(re.compile(r"/tickets/t/[\w-]+/sent/$"))
    assert [url for url in asked if "/api/search" in url] == []
    assert log.failures() == [] and len(log.posts()) == 1


def test_sending_a_ticket_with_a_photo_makes_one_post_and_no_failed_request(any_phone):
    shots = Shots(f"send-ticket-{any_phone.profile}")
    log = RequestLog().attach(any_phone)
    any_phone.goto("/tickets/new/")
    shots(any_phone, "empty-form")
    # The suggestions for what is typed have come back before the merchant sends, as for a person who reads
    # the form first (otherwise their request, still on its way, is cut off by the page that follows).
    suggested = any_phone.expect_response(lambda response: "/api/search" in response.url)
    with suggested if any_phone.profile != "nojs" else contextlib.nullcontext():
        fill_required(any_phone)
    any_phone.set_input_files(
        "#id_photos", files=[{"name": "screen.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG")}]
    )
    shots(any_phone, "filled", full_page=True)
    log.clear()

    any_phone.locator("button.send").click()

    expect(any_phone).to_have_url(re.compile(r"/tickets/t/[\w-]+/sent/$"))
    shots(any_phone, "confirmation")
    assert log.failures() == []
    assert len(log.posts()) == 1
    assert Ticket.objects.get().attachments.count() == 1

    # Never lose it: a QR code of the link to long-press and save, a copy button where scripts run.
    qr = any_phone.get_by_role("img", name="跟踪链接的二维码")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0
    assert qr.get_attribute("src").startswith("data:image/png;base64,")
    if any_phone.profile == "wechat":
        expect(any_phone.locator(".qr .wechat-tip")).to_contain_text("微信")
    else:  # the WeChat advice only inside WeChat
        expect(any_phone.locator(".qr figcaption")).not_to_contain_text("微信")
    copy = any_phone.get_by_role("button", name="复制链接")
    if any_phone.profile == "nojs":
        expect(copy).to_be_hidden()
    else:
        copy.click()
        expect(any_phone.locator("#copy-status")).to_have_text("已复制")
        assert any_phone.evaluate("navigator.clipboard.readText()") == any_phone.input_value("#tracking-url")
    shots(any_phone, "confirmation-qr", full_page=True)
