"""A merchant photographs the terminal's screen on a 390×844 phone and lands on the code's page: JavaScript
on (choosing the photo sends it), off (a plain form upload) and in WeChat's browser."""

import re

import pytest
from playwright.sync_api import expect

from bench.ocr_photos import draw, samples
from tests.e2e.journey import RequestLog, Shots
from tests.e2e.test_accessibility import serious_violations
from tickets.models import Attachment, Ticket

READ_MS = 120_000  # a reading on a busy two-core machine; the page itself answers at once


@pytest.fixture(scope="module")
def a0_screen_photo(tmp_path_factory) -> str:
    sample = next(s for s in samples(60) if s.code == "A0" and s.kind == "screen")
    path = tmp_path_factory.mktemp("photos") / "screen.jpg"
    path.write_bytes(draw(sample, size=(1920, 1440)))
    return str(path)


def test_a_photo_of_the_screen_leads_to_the_codes_page(loaded_kb, ocr_server, any_phone, a0_screen_photo):
    page, shots, requests = any_phone, Shots(f"photo-search-{any_phone.profile}"), RequestLog().attach(any_phone)
    page.goto("/")
    button = page.get_by_text("拍屏幕照片")
    expect(button).to_be_visible()
    assert button.bounding_box()["y"] < 844  # on the first screen of the phone
    shots(page, "home")
    page.locator("input[name=photo]").set_input_files(a0_screen_photo)
    if page.profile == "nojs":
        page.get_by_role("button", name="识别照片").click()
    expect(page.get_by_role("heading", name="我们识别到：")).to_be_visible(timeout=READ_MS)
    expect(page.locator("[data-read-text]")).to_contain_text("A0")
    shots(page, "answer", full_page=True)
    if page.profile != "nojs":  # axe is a script: it cannot run where scripts are off
        assert serious_violations(page) == []
    first = page.locator(".search-results li a").first
    expect(first).to_have_attribute("href", re.compile(r"^/codes/A0/"))
    retype = page.locator(".photo-retype input[name=q]")
    expect(retype).to_have_value(re.compile("A0"))
    first.click()
    expect(page).to_have_url(re.compile(r"/codes/A0/$"))
    shots(page, "code-page")
    assert requests.failures() == []
    assert len(requests.posts("/search/photo/")) == 1


def test_the_answer_page_in_english_reads_the_photo_and_passes_axe(loaded_kb, ocr_server, phone, a0_screen_photo):
    shots = Shots("photo-search-en")
    phone.goto("/en/")
    phone.locator("input[name=photo]").set_input_files(a0_screen_photo)
    expect(phone.get_by_role("heading", name="We read:")).to_be_visible(timeout=READ_MS)
    expect(phone).to_have_url(re.compile(r"/en/search/photo/$"))
    shots(phone, "answer", full_page=True)
    expect(phone.locator(".search-results li a").first).to_have_attribute("href", re.compile(r"^/en/codes/A0/"))
    assert serious_violations(phone) == []


def test_still_not_solved_carries_the_photo_into_the_ticket_form(loaded_kb, ocr_server, any_phone, a0_screen_photo):
    """Photo → answer → "Still not solved" → the form shows the photo attached, the text read and the code →
    send: one ticket with exactly one attachment (the photo, its text read), one POST per send."""
    page, shots, requests = any_phone, Shots(f"photo-carried-{any_phone.profile}"), RequestLog().attach(any_phone)
    page.goto("/")
    page.locator("input[name=photo]").set_input_files(a0_screen_photo)
    if page.profile == "nojs":
        page.get_by_role("button", name="识别照片").click()
    expect(page.get_by_role("heading", name="我们识别到：")).to_be_visible(timeout=READ_MS)
    unsolved = page.locator("[data-still-not-solved]")
    expect(page.get_by_role("heading", name="还是没有解决？")).to_be_visible()
    unsolved.scroll_into_view_if_needed()
    shots(page, "answer-still-not-solved")
    unsolved.click()

    expect(page).to_have_url(re.compile(r"/tickets/new/\?photo="))
    carried = page.locator(".pending img")
    expect(carried).to_have_count(1)
    expect(carried).to_be_visible()
    # The thumbnail loads (a broken image never does, and the wait fails): visible is not yet loaded.
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=carried.element_handle(), timeout=READ_MS)
    expect(page.get_by_role("button", name=re.compile("^移除 "))).to_have_count(1)
    expect(page.locator("#id_description")).to_have_value(re.compile("A0|校验"))
    expect(page.locator("#id_response_code")).to_have_value("A0")
    assert page.locator(".pending").bounding_box()["y"] < page.locator("#screen").bounding_box()["y"]
    shots(page, "form-with-photo", full_page=True)

    page.check("#id_occurred_when_0")
    page.fill("#id_contact_name", "王芳")
    page.fill("#id_phone", "13800138000")
    page.fill("#id_merchant_id", "102310058120001")
    page.fill("#id_terminal_id", "12345678")
    requests.clear()
    page.locator("button.send").click()
    expect(page).to_have_url(re.compile(r"/tickets/t/[\w-]+/sent/$"), timeout=READ_MS)
    shots(page, "sent")

    ticket = Ticket.objects.get()
    attachment = Attachment.objects.get(ticket=ticket)  # exactly one: the photo was not sent twice
    assert attachment.kind == "image"
    assert "A0" in attachment.photo_codes.split()
    assert requests.failures() == []
    assert len(requests.posts("/tickets/new/")) == 1
