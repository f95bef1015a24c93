"""The merchant's tracking page on a 390×844 phone (JavaScript on, off, and inside WeChat): support's answer
first, marked new until seen, the reply box right under it; after a resolution, one tap says whether it helped.
Plus the small things of the same walk: switching language keeps a half-filled form, a search travels as its
own field."""

import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.journey import ConsoleLog, RequestLog, Shots, top_of
from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_ticket_send import fill_required
from tests.tickets.conftest import image_bytes
from tickets import services
from tickets.models import Ticket, TicketFeedback, TicketMessage

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER = "请在“管理”菜单里做一次 POS 签到，看到“签到成功”后再重新发起交易。"


def _ticket_with_history(agent) -> tuple[Ticket, str]:
    """A ticket whose newest answer would sit far down in a plain history: long details, several messages."""
    with time_machine.travel("2026-05-01 09:00 +0800", tick=False):
        ticket = services.ticket_create(
            requester=None,
            details=services.TicketDetails(
                contact_name="王芳",
                phone="13800138000",
                merchant_id="102310058120001",
                terminal_id="12345678",
                occurred_at=timezone.now(),
                description="刷卡提示请重新签到，签到后仍然失败。" * 6,
                steps=["开机", "操作员签到", "刷卡", "提示请重新签到"],
            ),
            submission_key="tracking-journey-key-0001-xx",
            files=[],
        )
    with time_machine.travel("2026-05-01 10:00 +0800", tick=False):
        services.ticket_agent_reply(ticket=ticket, agent=agent, body="请先告诉我们终端型号。")
    with time_machine.travel("2026-05-01 10:30 +0800", tick=False):
        services.ticket_reply(ticket=ticket, author=None, body="是新大陆 ME31，签到还是失败。\n" * 3)
    with time_machine.travel("2026-05-01 11:00 +0800", tick=False):
        services.ticket_agent_reply(ticket=ticket, agent=agent, body=ANSWER)
    return ticket, f"/tickets/t/{ticket.access_token}/"


def test_the_answer_comes_first_marked_new_until_seen_with_the_reply_box_under_it(any_phone, agent):
    ticket, url = _ticket_with_history(agent)
    shots = Shots(f"tracking-answer-first-{any_phone.profile}")
    log = RequestLog().attach(any_phone)
    console = ConsoleLog().attach(any_phone)

    any_phone.goto(url)

    expect(any_phone).to_have_title(re.compile("^客服已回复"))
    answer = any_phone.locator("#answer")
    expect(answer.locator(".message-body")).to_have_text(ANSWER)
    expect(answer.locator(".badge-new")).to_have_text("新回复")
    assert "{#" not in any_phone.locator("main").inner_text()
    assert top_of(any_phone, "#answer .message-body") <= 400
    reply_box = any_phone.locator("#reply textarea")
    expect(reply_box).to_be_visible()
    gap = top_of(any_phone, "#reply") - (top_of(any_phone, "#answer") + answer.bounding_box()["height"])
    assert 0 <= gap <= 40  # right under the answer
    assert top_of(any_phone, "#reply textarea") < 844  # on the first screen
    assert top_of(any_phone, "#conversation") > top_of(any_phone, "#reply")  # the history below
    shots(any_phone, "first-screen")

    any_phone.reload()
    expect(any_phone.locator("#answer .badge-new")).to_have_count(0)
    expect(any_phone).not_to_have_title(re.compile("客服已回复"))
    shots(any_phone, "seen")

    log.clear()
    reply_box.fill("签到成功了，谢谢！")
    any_phone.locator("#reply button.send").click()
    expect(any_phone.locator(".conversation")).to_contain_text("签到成功了，谢谢！")
    shots(any_phone, "replied", full_page=True)
    assert log.failures() == [] and len(log.posts()) == 1
    assert console.errors() == []
    assert ticket.messages.last().body == "签到成功了，谢谢！"


def _resolved(agent) -> tuple[Ticket, str]:
    ticket, url = _ticket_with_history(agent)
    services.ticket_status_set(ticket=ticket, agent=agent, status=Ticket.Status.RESOLVED)
    return ticket, url


def test_not_solved_in_one_tap_reopens_the_request_with_the_comment(any_phone, agent):
    ticket, url = _resolved(agent)
    shots = Shots(f"tracking-feedback-{any_phone.profile}")
    log = RequestLog().attach(any_phone)
    any_phone.goto(url)
    feedback = any_phone.locator("#feedback")
    expect(feedback).to_be_visible()
    assert top_of(any_phone, "#feedback") < 844
    shots(any_phone, "asked")
    log.clear()

    any_phone.get_by_label("还有要补充的吗？（选填）").fill("签到成功了，但刷卡还是提示 A0")
    feedback.get_by_role("button", name="没有解决").click()

    expect(any_phone.locator(".messages")).to_contain_text("重新打开")
    expect(any_phone.locator("#feedback")).to_have_count(0)
    shots(any_phone, "reopened", full_page=True)
    assert log.failures() == [] and len(log.posts()) == 1
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    last = ticket.messages.last()
    assert (last.author_role, last.body) == (TicketMessage.Role.MERCHANT, "签到成功了，但刷卡还是提示 A0")
    assert TicketFeedback.objects.get().agent == agent


def test_solved_in_one_tap_is_thanked_and_asked_no_more(phone, agent):
    _ticket, url = _resolved(agent)
    phone.goto(url)
    phone.locator("#feedback").get_by_role("button", name="解决了").click()
    expect(phone.locator(".messages")).to_contain_text("很高兴")
    expect(phone.locator("#feedback")).to_have_count(0)
    assert TicketFeedback.objects.get().helped is True


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_tracking_page_with_a_new_answer_and_the_question_passes_axe(phone, agent, prefix):
    _ticket, url = _resolved(agent)
    phone.goto(prefix + url)
    expect(phone.locator("#answer .badge-new")).to_be_visible()
    expect(phone.locator("#feedback")).to_be_visible()
    Shots(f"axe-tracking{prefix.replace('/', '-') or '-zh'}")(phone, "answer-and-feedback", full_page=True)
    assert serious_violations(phone) == []


def test_switching_language_keeps_what_was_typed_and_the_photo(any_phone):
    log = RequestLog().attach(any_phone)
    any_phone.goto("/tickets/new/")
    any_phone.fill("#id_description", "刷卡提示请重新签到")
    any_phone.fill("#id_contact_name", "王芳")
    any_phone.check("#id_occurred_when_1")
    any_phone.set_input_files(
        "#id_photos", files=[{"name": "screen.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG")}]
    )
    if any_phone.profile != "nojs":
        expect(any_phone.locator("#previews li").first).to_contain_text("screen")

    any_phone.get_by_role("button", name="English").click()

    expect(any_phone.locator("h1")).to_have_text("Contact support")
    assert "/en/tickets/new/" in any_phone.url
    expect(any_phone.locator("#id_description")).to_have_value("刷卡提示请重新签到")
    expect(any_phone.locator("#id_contact_name")).to_have_value("王芳")
    expect(any_phone.locator("#id_occurred_when_1")).to_be_checked()
    expect(any_phone.locator("[data-pending]")).to_contain_text("screen")
    Shots(f"language-switch-{any_phone.profile}")(any_phone, "kept-in-english", full_page=True)
    assert log.failures() == []

    fill_required_rest(any_phone)
    any_phone.locator("button.send").click()
    expect(any_phone).to_have_url(re.compile(r"/en/tickets/t/[\w-]+/sent/$"))
    assert Ticket.objects.get().attachments.count() == 1
    assert log.failures() == []


def fill_required_rest(page):
    page.fill("#id_phone", "13800138000")
    page.fill("#id_merchant_id", "102310058120001")
    page.fill("#id_terminal_id", "12345678")


def test_a_search_travels_as_its_own_field_not_in_the_description(any_phone):
    any_phone.goto("/tickets/new/?q=签到失败")
    expect(any_phone.locator("#id_description")).to_have_value("")
    expect(any_phone.locator("#from-search")).to_contain_text("签到失败")
    fill_required(any_phone)
    any_phone.locator("button.send").click()
    expect(any_phone).to_have_url(re.compile(r"/tickets/t/[\w-]+/sent/$"))
    ticket = Ticket.objects.get()
    assert ticket.search_query == "签到失败"
    assert "签到失败" not in ticket.description.replace("签到后仍然失败", "")


def test_when_it_happened_is_picked_and_another_time_asks_for_the_time(any_phone):
    log = RequestLog().attach(any_phone)
    any_phone.goto("/tickets/new/")
    time_field = any_phone.locator("#id_occurred_at")
    expect(time_field).to_have_value("")  # no silent default
    if any_phone.profile == "nojs":
        expect(time_field).to_be_visible()
    else:
        expect(time_field).to_be_hidden()  # only asked for where it is needed
    fill_required(any_phone)
    any_phone.check("#id_occurred_when_2")  # another time
    expect(time_field).to_be_visible()
    any_phone.locator("button.send").click()
    summary = any_phone.locator("#form-errors")
    expect(summary).to_contain_text("日期和时间")
    summary.scroll_into_view_if_needed()
    Shots(f"when-another-time-{any_phone.profile}")(any_phone, "asks-for-the-time")
    assert not Ticket.objects.exists()
    assert [entry for entry in log.failures() if entry[2] != 400] == []  # the form's own "check these" answer
