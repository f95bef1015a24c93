"""A merchant never loses the thread, in WeChat on a 390×844 phone: the receipt's link still works after "Find
my ticket", a stopped link explains itself with the Find form, and a reply by email (a real QQ Mail message)
shows in the conversation without its quoted history."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from tests.e2e.journey import WECHAT_UA, ConsoleLog, RequestLog, Shots, top_of
from tests.e2e.test_accessibility import serious_violations
from tests.tickets.conftest import form_data
from tests.tickets.test_inbound_mail import raw
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wechat(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        user_agent=WECHAT_UA,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _receipt(email: str) -> tuple[Ticket, str]:
    response = Client().post("/en/tickets/new/", form_data(email=email))
    mail.outbox.clear()
    return Ticket.objects.get(), response["Location"].removesuffix("sent/")


def test_the_receipt_link_outlives_a_find_and_a_stopped_link_explains_itself(wechat):
    shots = Shots("lasting-links")
    requests, console = RequestLog().attach(wechat), ConsoleLog().attach(wechat)
    ticket, receipt = _receipt("wang@example.com")

    wechat.goto("/en/tickets/find/")
    wechat.fill("#id_reference", ticket.reference)
    wechat.fill("#id_contact", "wang@example.com")
    wechat.get_by_role("button", name="Send me a link or a code").click()
    expect(wechat.locator("h1")).to_be_visible()
    shots(wechat, "find-sent")
    found = re.search(r"https?://[^/\s]+(/\S+/t/[\w-]+/)", mail.outbox[-1].body).group(1)

    # The receipt's link (and the QR made of it) still opens the ticket, and so does the one just found.
    wechat.goto(receipt)
    expect(wechat.locator("body")).to_contain_text(ticket.reference)
    shots(wechat, "receipt-link-after-find")
    wechat.goto(found)
    expect(wechat.locator("body")).to_contain_text(ticket.reference)
    assert requests.failures() == [] and len(requests.posts("/tickets/find/")) == 1

    # The merchant stops every link from the tracking page and is taken to the new one.
    wechat.locator("#links input[name=confirm]").check()
    wechat.get_by_role("button", name="Stop all links and give me a new one").click()
    expect(wechat).to_have_url(re.compile(r"/en/tickets/t/[\w-]+/$"))
    assert wechat.url.removeprefix(settings.SITE_URL) not in (receipt, found)
    shots(wechat, "new-link-after-stopping")

    for prefix, heading, button in [
        ("/en", "This link was replaced", "Send me a link or a code"),
        ("", "此链接已被替换", "发送链接或验证码"),
    ]:
        requests.clear()
        wechat.goto(prefix + receipt.removeprefix("/en"))
        expect(wechat.get_by_role("heading", level=1)).to_have_text(heading)
        form_button = wechat.get_by_role("button", name=button)
        expect(form_button).to_be_visible()
        # The Find form starts on the first screen of the phone: nothing to scroll past.
        assert top_of(wechat, "#id_reference") < 844
        assert ticket.reference not in wechat.content()
        shots(wechat, f"stopped-link{prefix.replace('/', '-') or '-zh'}", full_page=True)
        assert serious_violations(wechat) == []
        # The one "failure" is the page itself, answered 410 Gone on purpose; nothing else failed.
        assert [(m, s) for m, _u, s in requests.failures()] == [("GET", 410)]
    # The browser reports each 410 answer as a failed resource; anything else would be a real error.
    assert [e for e in console.errors() if "410 (Gone)" not in e] == []


def test_an_email_reply_lands_in_the_conversation_without_its_history(wechat, agent, settings):
    settings.INBOUND_REPLY_ADDRESS = "support@help.example.com"
    shots = Shots("email-reply")
    ticket, receipt = _receipt("wang@qq.com")
    services.ticket_agent_reply(ticket=ticket, agent=agent, body="请重启终端后再试一次。")

    row = services.inbound_mail_receive(raw=raw("qq_mail_gb18030.eml", ticket))
    assert row.status == "added"

    requests = RequestLog().attach(wechat)
    wechat.goto(receipt.replace("/en/", "/", 1))
    page = wechat.locator("body")
    expect(page).to_contain_text("还是不行，重启以后打印机还是提示缺纸。")
    expect(page).to_contain_text("622202*********0128")  # the card number in the mail, masked
    expect(page).not_to_contain_text("原始邮件")
    expect(page).not_to_contain_text("发件人")
    expect(page).not_to_contain_text("6222021234567890128")
    # The agent's words show once: as the agent's reply, not again as quoted history in the merchant's.
    assert wechat.content().count("请重启终端后再试一次") == 1
    shots(wechat, "tracking-page-with-email-reply", full_page=True)
    assert requests.failures() == []


def test_an_agent_sees_a_stranger_s_reply_in_unmatched_mail(browser, live_server, agent, settings):
    from tests.e2e.test_agent_ticket import _signed_in

    settings.INBOUND_REPLY_ADDRESS = "support@help.example.com"
    ticket, _receipt_link = _receipt("wang@outlook.com")
    services.inbound_mail_receive(
        raw=raw("outlook_zh_attachment.eml", ticket, replace=[(b"<wang@outlook.com>", b"<boss@shop.cn>")])
    )
    context = _signed_in(browser, live_server, agent, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    requests = RequestLog().attach(page)
    page.goto("/agent/mail/")
    expect(page.locator(".mail-item")).to_contain_text("boss@shop.cn")
    Shots("unmatched-mail")(page, "agent-unmatched-mail", full_page=True)
    assert serious_violations(page) == []

    page.get_by_role("button", name="作为商户回复添加").click()
    expect(page.locator(".messages")).to_contain_text(ticket.reference)
    assert ticket.messages.filter(body__contains="附件是今天的终端日志").exists()
    assert requests.failures() == [] and len(requests.posts("/agent/mail/")) == 1
    context.close()
