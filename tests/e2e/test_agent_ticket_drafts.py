"""Issue 21, tester findings 3, 13 and 14 on a 1440×900 screen: a half-written reply survives Esc (which asks
first, in the page and the console's language), j/k and reopening the ticket, and is dropped once sent; Esc
back to the queue highlights the ticket just left so j goes on from it; after a send the new message and its
"sent" notice are in view. Screenshots in test-results/journeys/agent-ticket-drafts/."""

import pytest
from playwright.sync_api import expect

from tests.agents.ticketpage import fast_passwords  # noqa: F401 (autouse fixture)
from tests.e2e.journey import RequestLog, Shots
from tests.e2e.test_agent_ticket_workspace import queue_of_tickets, workspace  # noqa: F401 (fixtures)
from tickets import services

pytestmark = pytest.mark.django_db(transaction=True)

DRAFT = "未发送的草稿：请先在菜单里做 POS签到"


def _in_view(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector, "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )


def _current_row(page):
    return page.evaluate(
        """() => { const row = document.querySelector('#queue-rows .queue-row.current');
                   return row && row.dataset.reference; }"""
    )


def _escape_asks_first(page, order: list[str], shots) -> None:
    """A draft typed into the sixth ticket; Esc asks in the page (staying is the default) and Esc again stays."""
    page.wait_for_load_state("load")  # the keys are the page script's: pressed before it runs, they do nothing
    page.keyboard.press("r")
    page.keyboard.type(DRAFT)
    page.keyboard.press("Escape")  # leaves the box
    page.keyboard.press("Escape")  # would go back: asks first, in Chinese, in the page
    leave = page.locator("#leave-draft")
    expect(leave).to_be_visible()
    expect(leave).to_contain_text("还有未发送的内容，要离开吗？")
    assert page.evaluate("document.activeElement.textContent.trim()") == "留下继续写"  # staying is the default
    shots(page, "esc-asks-zh-1440x900")
    page.keyboard.press("Escape")  # Esc on the question: stay, the cursor back in the box
    expect(leave).to_be_hidden()
    expect(page.locator("h1")).to_have_text(order[5])
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'reply-body'")


def test_a_draft_survives_esc_and_the_queue_keeps_the_ticket_just_left(workspace, queue_of_tickets):  # noqa: F811
    context, page = workspace()
    native = []
    page.on("dialog", lambda dialog: (native.append(dialog.type), dialog.dismiss()))
    requests = RequestLog().attach(page)
    shots = Shots("agent-ticket-drafts")

    page.goto("/agent/?status=new")
    order = page.eval_on_selector_all("#queue-rows .queue-row", "rows => rows.map(r => r.dataset.reference)")
    page.locator(f'.queue-row[data-reference="{order[5]}"] .ticket-link').click()
    expect(page.locator("h1")).to_have_text(order[5])
    _escape_asks_first(page, order, shots)
    leave = page.locator("#leave-draft")

    page.keyboard.press("Escape")
    page.keyboard.press("j")  # next ticket: asks as well
    expect(leave).to_be_visible()
    leave.get_by_role("button", name="离开，保留草稿").click()
    expect(page.locator("h1")).to_have_text(order[6])
    page.wait_for_load_state("load")  # the keys are the page script's: pressed before it runs, they do nothing
    assert page.locator("#reply-body").input_value() == ""  # each ticket its own draft

    page.keyboard.press("k")  # empty box: no question
    expect(page.locator("h1")).to_have_text(order[5])
    page.wait_for_load_state("load")  # the keys are the page script's: pressed before it runs, they do nothing
    assert page.locator("#reply-body").input_value() == DRAFT
    expect(page.locator("#draft-back")).to_be_visible()
    shots(page, "draft-back-zh-1440x900")

    page.keyboard.press("Escape")
    expect(leave).to_be_visible()
    leave.get_by_role("button", name="离开，保留草稿").click()
    page.wait_for_url("**/agent/?status=new")
    page.wait_for_load_state("load")  # the keys are the page script's: pressed before it runs, they do nothing
    # The queue: the ticket just left is the current row, focused, and j goes on to the next one.
    page.wait_for_function(f"() => document.querySelector('.queue-row.current')?.dataset.reference === '{order[5]}'")
    assert page.evaluate("document.activeElement.closest('.queue-row')?.dataset.reference") == order[5]
    assert _in_view(page, ".queue-row.current")
    shots(page, "queue-current-row-zh-1440x900")
    page.keyboard.press("j")
    assert _current_row(page) == order[6]

    # Reopened (a mouse click this time): the draft is still there; sent, it is gone for good.
    page.locator(f'.queue-row[data-reference="{order[5]}"] .ticket-link').click()
    assert page.locator("#reply-body").input_value() == DRAFT
    page.get_by_role("button", name="发送回复给商户").click()
    page.wait_for_selector(".sent-notice")
    assert page.evaluate("sessionStorage.getItem('agent-draft:" + order[5] + "')") is None
    page.reload()
    assert page.locator("#reply-body").input_value() == ""
    assert native == []  # never the browser's own leave prompt
    assert len(requests.posts("/reply/")) == 1 and requests.failures() == []
    context.close()


@pytest.mark.parametrize(
    ("language", "button", "done"),
    [
        ("en", "Send reply to the merchant", "Reply sent to the merchant."),
        ("zh-hans", "添加内部备注", "已添加内部备注"),
    ],
)
def test_after_a_send_the_new_message_and_its_notice_are_in_view(workspace, agent, language, button, done):  # noqa: F811
    from tests.agents.ticketpage import create_ticket

    ticket = create_ticket()
    for n in range(12):  # a long conversation: the notice above the page would be far out of sight
        services.ticket_reply(ticket=ticket, author=None, body=f"第 {n + 1} 次补充：" + "还是提示请重新签到。" * 12)
    context, page = workspace()
    shots = Shots(f"agent-ticket-sent-{language}")
    prefix = "/en" if language == "en" else ""
    page.goto(f"{prefix}/agent/tickets/{ticket.reference}/#reply")
    if "备注" in button:
        page.keyboard.press("Escape")
        page.keyboard.press("n")
    page.locator("#reply-body").fill("Checked: please sign on from the menu (POS sign-on).")
    page.get_by_role("button", name=button).click()
    notice = page.locator(".sent-notice")
    expect(notice).to_contain_text(done)
    message = ticket.messages.order_by("-pk").first()
    assert page.url.endswith(f"#message-{message.pk}")
    page.wait_for_function("() => scrollY > 0")
    assert _in_view(page, ".sent-notice")
    assert page.eval_on_selector(f"#message-{message.pk}", "el => el.getBoundingClientRect().top") < 900
    shots(page, "after-send-1440x900")
    context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_sidebar_lists_related_tickets_once_with_why(workspace, agent, language):  # noqa: F811
    from django.contrib.auth import get_user_model

    from tests.agents.ticketpage import create_ticket

    agent.first_name, agent.last_name = "Fang", "Wang"
    agent.save(update_fields=["first_name", "last_name"])
    nearby = create_ticket(contact_name="李雷")
    other_terminal = create_ticket(terminal_id="87654321")
    services.ticket_status_set(ticket=other_terminal, agent=agent, status="resolved")
    ticket = create_ticket()
    services.ticket_assign(ticket=ticket, agent=agent, assignee=get_user_model().objects.get(pk=agent.pk))
    context, page = workspace()
    shots = Shots(f"agent-ticket-page-{language}")
    page.goto(("/en" if language == "en" else "") + f"/agent/tickets/{ticket.reference}/")
    shots(page, "ticket-1440x900")
    related = page.locator("section[aria-labelledby=earlier-heading]")
    related.scroll_into_view_if_needed()
    shots(page, "related-and-timeline-1440x900")
    rows = related.locator("li")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(nearby.reference)
    why = (
        ("同一终端，24 小时内提交且未关闭", "同一商户的另一台终端")
        if language != "en"
        else ("same terminal, open in the last 24 h", "same merchant, another terminal")
    )
    expect(rows.nth(0)).to_contain_text(why[0])
    expect(rows.nth(1)).to_contain_text(why[1])
    assert page.locator(f"a:text-is('{nearby.reference}')").count() == 1
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("提交了工单" if language != "en" else "created the ticket")
    expect(timeline).to_contain_text("→ Fang Wang")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    context.close()
