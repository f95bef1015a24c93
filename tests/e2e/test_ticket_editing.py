"""Filling in and following up a ticket on a phone: photos add up, step buttons without JavaScript, replies."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.e2e.journey import RequestLog, Shots
from tests.tickets.conftest import form_data, image_bytes
from tickets.models import Ticket, TicketMessage

pytestmark = pytest.mark.django_db(transaction=True)


def jpeg(name):
    return [{"name": name, "mimeType": "image/jpeg", "buffer": image_bytes("JPEG")}]


def fill_required(page):
    page.fill("#id_description", "刷卡提示请重新签到，签到后仍然失败")
    page.check("#id_occurred_when_0")  # "just now": the form suggests no time of its own
    page.fill("#id_contact_name", "王芳")
    page.fill("#id_phone", "13800138000")
    page.fill("#id_merchant_id", "102310058120001")
    page.fill("#id_terminal_id", "12345678")


def test_a_second_camera_shot_adds_to_the_first_and_each_can_be_removed(phone):
    shots = Shots("camera-shots-add-up")
    phone.goto("/en/tickets/new/")
    fill_required(phone)
    phone.set_input_files("#id_photos", files=jpeg("screen.jpg"))
    phone.set_input_files("#id_photos", files=jpeg("receipt.jpg"))
    phone.set_input_files("#id_photos", files=jpeg("back.jpg"))
    expect(phone.locator("#previews li")).to_have_count(3)
    expect(phone.locator("#previews img")).to_have_count(3)
    shots(phone, "three-shots")
    phone.get_by_role("button", name="Remove back.jpg").click()
    expect(phone.locator("#previews li")).to_have_count(2)
    shots(phone, "one-removed")

    phone.locator("button.send").click()

    expect(phone).to_have_url(re.compile(r"/sent/$"))
    names = sorted(Ticket.objects.get().attachments.values_list("original_name", flat=True))
    assert names == ["receipt.jpg", "screen.jpg"]


def test_shots_beyond_the_file_limit_are_not_added(phone, settings):
    settings.TICKET_MAX_FILES = 2
    phone.goto("/en/tickets/new/")
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        phone.set_input_files("#id_photos", files=jpeg(name))
    expect(phone.locator("#previews img")).to_have_count(2)
    expect(phone.locator("#id_photos + .file-refusals")).to_contain_text("At most 2 files")  # under the input


def test_without_javascript_a_second_shot_is_attached_next_to_the_first(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/en/tickets/new/")
    page.set_input_files("#id_photos", files=jpeg("screen.jpg"))
    page.get_by_role("button", name="Attach these files, then add more").click()
    page.set_input_files("#id_photos", files=jpeg("receipt.jpg"))
    page.get_by_role("button", name="Attach these files, then add more").click()
    expect(page.locator(".pending li")).to_have_count(2)
    context.close()


def test_without_javascript_a_step_button_comes_back_to_the_steps(browser, live_server):
    shots = Shots("nojs-step-button")
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/en/tickets/new/")
    page.locator("#step-0").fill("switched on")
    page.get_by_role("button", name="Add a step").click()

    expect(page.locator("#step-0")).to_have_value("switched on")
    expect(page.locator("#steps-section")).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0
    shots(page, "back-at-the-steps")
    context.close()


@pytest.fixture
def tracking_url(db):
    response = Client().post("/en/tickets/new/", form_data(), follow=False)
    assert response.status_code == 302
    return response["Location"].removesuffix("sent/")


def test_a_reply_shows_progress_and_a_double_tap_sends_once(phone, tracking_url):
    shots = Shots("reply-double-tap")
    log = RequestLog().attach(phone)
    phone.goto(tracking_url)
    phone.fill("#id_body", "The receipt is attached.")
    phone.set_input_files("#id_reply_files", files=jpeg("receipt.jpg"))
    log.clear()
    # Hold the upload until the page has been looked at, so the second tap lands while it is sending.
    held = []
    phone.route("**/reply/", lambda route: held.append(route))
    phone.locator(".reply-form button.send").dblclick()
    expect(phone.locator(".reply-form [data-progress]")).to_be_visible()
    expect(phone.locator(".reply-form button.send")).to_be_disabled()
    shots(phone, "sending")
    for route in held:
        route.continue_()

    expect(phone.locator(".conversation")).to_contain_text("The receipt is attached.")
    shots(phone, "sent")
    assert len(log.posts()) == 1
    assert log.failures() == []
    assert TicketMessage.objects.filter(body="The receipt is attached.").count() == 1


@pytest.mark.parametrize("javascript", [True, False])
def test_an_empty_reply_is_refused_next_to_the_box(browser, live_server, tracking_url, javascript):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(tracking_url)
    page.locator(".reply-form button.send").click()

    error = page.locator(".reply-form .errorlist")
    expect(error).to_contain_text("Write a message or attach a file")
    expect(error).to_be_in_viewport()
    expect(page.locator("#id_body")).to_be_in_viewport()
    Shots(f"empty-reply-{'js' if javascript else 'nojs'}")(page, "error")
    context.close()


def test_a_signed_in_merchant_fills_the_terminal_by_picking_one(phone, merchant):
    client = Client()
    client.force_login(merchant)
    client.post(
        "/en/tickets/new/", form_data(submission_key="a" * 32, terminal_id="87654321", terminal_model="联迪 A8")
    )
    client.post("/en/tickets/new/", form_data(submission_key="b" * 32, terminal_id="11112222", terminal_model="新大陆"))
    phone.goto("/en/accounts/login/?next=/en/tickets/new/")
    phone.fill("#id_username", "merchant")
    phone.fill("#id_password", "merchant-pass-123")
    phone.locator("main button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/en/tickets/new/$"))
    expect(phone.locator("#id_terminal_id")).to_have_value("11112222")  # the last one, filled in

    phone.get_by_label(re.compile("TID 87654321")).check()

    expect(phone.locator("#id_terminal_id")).to_have_value("87654321")
    expect(phone.locator("#id_terminal_model")).to_have_value("联迪 A8")
    Shots("pick-a-terminal")(phone, "picked")
