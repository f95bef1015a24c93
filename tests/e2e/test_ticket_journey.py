"""A merchant on a phone sends a ticket with a photo: steps edited in place, preview, progress, confirmation."""

import re

import pytest
from playwright.sync_api import expect

from tests.tickets.conftest import image_bytes
from tickets.models import PendingUpload, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def fill_required(page):
    page.fill("#id_description", "刷卡提示请重新签到，签到后仍然失败")
    page.check("#id_occurred_when_0")  # "just now": the form suggests no time of its own
    page.fill("#id_contact_name", "王芳")
    page.fill("#id_phone", "13800138000")
    page.fill("#id_merchant_id", "102310058120001")


def test_a_merchant_sends_a_ticket_with_a_photo_from_a_phone(phone):
    phone.goto("/en/tickets/new/?code=A0")
    expect(phone.locator("#id_response_code")).to_have_value("A0")
    fill_required(phone)
    phone.fill("#id_terminal_id", "12345678")
    # One step row to start with; more on demand.
    expect(phone.locator("input[name=steps]")).to_have_count(1)
    phone.fill("#step-0", "switched on")
    phone.get_by_role("button", name="Add a step").click()
    expect(phone.locator("#step-1")).to_be_focused()
    phone.fill("#step-1", "swiped a card")
    # With JavaScript, steps move in place: no reload, the typed text stays.
    phone.get_by_role("button", name="Move step 2 up").click()
    expect(phone.locator("#step-0")).to_have_value("swiped a card")
    phone.get_by_role("button", name="Add a step").click()
    expect(phone.locator("input[name=steps]")).to_have_count(3)
    phone.set_input_files(
        "#id_images", files=[{"name": "screen.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}]
    )
    expect(phone.locator("#previews li")).to_contain_text("screen.png")
    expect(phone.locator("#previews img")).to_have_count(1)

    phone.get_by_role("button", name="Send to support").last.click()

    expect(phone).to_have_url(re.compile(r"/en/tickets/t/[\w-]+/sent/$"))
    ticket = Ticket.objects.get()
    expect(phone.locator(".lead")).to_contain_text(ticket.reference)
    assert ticket.steps == ["swiped a card", "switched on"]
    assert ticket.attachments.get().original_name == "screen.png"


def test_an_error_sent_by_the_script_keeps_the_photo_as_already_attached(phone):
    phone.goto("/en/tickets/new/")
    fill_required(phone)
    phone.fill("#id_terminal_id", "123")
    phone.set_input_files(
        "#id_photos", files=[{"name": "screen.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG")}]
    )
    phone.get_by_role("button", name="Send to support").last.click()

    expect(phone.locator("#form-errors")).to_contain_text("A terminal ID (TID) has 8")
    expect(phone.locator(".pending")).to_contain_text("screen.jpg")
    assert PendingUpload.objects.count() == 1
    expect(phone.locator("#id_description")).to_have_value(re.compile("请重新签到"))

    phone.fill("#id_terminal_id", "12345678")
    phone.get_by_role("button", name="Send to support").last.click()
    expect(phone).to_have_url(re.compile(r"/sent/$"))
    assert Ticket.objects.get().attachments.count() == 1
