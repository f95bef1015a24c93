"""Issue 21, tester finding 14 on the merchant's side: after sending a message from the tracking page on a
390×844 phone (JavaScript on and off), the page opens at the new message with "sent" beside it, in view, not
1,600 px above. Screenshots in test-results/journeys/tracking-sent-*/."""

import pytest
from playwright.sync_api import expect

from tests.e2e.journey import RequestLog, Shots
from tests.e2e.test_tracking_journey import _ticket_with_history
from tickets import services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("any_phone", ["js", "nojs"], indirect=True)
def test_the_sent_message_and_its_notice_are_on_the_screen(any_phone, agent):
    ticket, url = _ticket_with_history(agent)
    for n in range(4):  # a longer history: "sent" above the page would be far out of sight
        services.ticket_agent_reply(ticket=ticket, agent=agent, body=f"第 {n + 1} 条说明：" + "请检查网络连接。" * 10)
    shots = Shots(f"tracking-sent-{any_phone.profile}")
    log = RequestLog().attach(any_phone)
    any_phone.goto(url)
    any_phone.locator("#reply textarea").fill("签到成功了，谢谢！")
    any_phone.locator("#reply button.send").click()
    notice = any_phone.locator(".sent-notice")
    expect(notice).to_contain_text("留言已发送")
    sent = ticket.messages.order_by("-pk").first()
    assert sent.body == "签到成功了，谢谢！"
    assert any_phone.url.endswith(f"#message-{sent.pk}")
    any_phone.wait_for_load_state("load")  # the browser scrolls to the #fragment once the page has loaded
    box = notice.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844, box
    message = any_phone.locator(f"#message-{sent.pk} .message-body").bounding_box()
    assert message["y"] + message["height"] <= 844, message
    assert any_phone.locator("main > .messages").count() == 0  # said once, beside the message
    shots(any_phone, "after-send")
    assert log.failures() == [] and len(log.posts()) == 1
