"""Issue 21, the agent's ticket page as an agent works it on a 1440×900 screen, keyboard first: one composer
with two unmistakable modes, r/n/j/k/Esc/? (and r/n from the queue), the photo gallery that rotates and zooms,
a fresh tracking link, the suggested answer by title corrected from a search, axe in both languages, and
screenshots at 1440×900 and 1280×720 (test-results/journeys/agent-ticket-*)."""

import io

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.agents.ticketpage import create_ticket, fast_passwords  # noqa: F401 (autouse fixture)
from tests.e2e.journey import RequestLog, Shots
from tests.e2e.test_accessibility import serious_violations
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db(transaction=True)

NOTE_TINT = "rgb(255, 248, 220)"
TEXTS = ["刷卡提示MAC校验错，收不了款", "打印机打不出小票，换了纸也不行", "连接服务器失败，换了流量卡也不行"]


def sideways_screen(name: str = "screen.jpg") -> SimpleUploadedFile:
    """A photo of a terminal's screen taken with the phone turned: the text runs bottom to top."""
    image = Image.new("RGB", (320, 200), (30, 60, 40))
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 310, 190), outline=(220, 240, 220), width=3)
    draw.text((30, 60), "MAC ERROR  A0", fill=(230, 250, 230))
    draw.text((30, 110), "PLEASE SIGN ON", fill=(230, 250, 230))
    out = io.BytesIO()
    image.rotate(90, expand=True).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def workspace(browser, live_server, agent, loaded_kb):
    call_command("canned_load", verbosity=0, stdout=io.StringIO())
    client = Client()
    client.force_login(agent)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]

    def open_page(width=1440, height=900, **options):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height}, **options)
        context.set_default_timeout(10_000)
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return context, context.new_page()

    return open_page


@pytest.fixture
def queue_of_tickets():
    tickets = [
        create_ticket(description=TEXTS[n % 3], screen_text="", response_code="", contact_name=f"商户{n:02d}")
        for n in range(24)
    ]
    tickets[0].refresh_from_db()
    return tickets


def _mode(page) -> dict:
    return page.evaluate(
        """() => ({
            note: document.getElementById("mode-note").checked,
            focused: document.activeElement && document.activeElement.id,
            tint: getComputedStyle(document.querySelector(".composer-box")).backgroundColor,
            buttons: [...document.querySelectorAll("#reply-form button[type=submit]")]
                .filter(b => b.offsetParent !== null).map(b => b.textContent.trim()),
        })"""
    )


def _switch_modes_keeping_the_text(page, order: list[str], shots) -> None:
    """Reply mode by default; `r` and `n` move the cursor and the mode, keys typed in the box stay text."""
    page.wait_for_load_state("load")  # the keys are the page script's: pressed before it runs, they do nothing
    # Reply mode by default: white box, one button, the merchant's button.
    state = _mode(page)
    assert (state["note"], state["buttons"]) == (False, ["Send reply to the merchant"])
    assert state["tint"] == "rgb(255, 255, 255)"
    page.keyboard.press("r")
    assert _mode(page)["focused"] == "reply-body"
    page.keyboard.type("Please sign on again jk")  # keys typed in the box are text, never shortcuts
    expect(page).to_have_url(f"{page.url.split('#')[0]}")
    expect(page.locator("h1")).to_have_text(order[10])
    page.keyboard.press("Escape")  # leaves the box; the keys act again
    page.keyboard.press("n")
    state = _mode(page)
    assert (state["note"], state["focused"], state["tint"]) == (True, "reply-body", NOTE_TINT)
    assert state["buttons"] == ["Add internal note"]
    assert page.locator("#reply-body").input_value() == "Please sign on again jk"  # the text stays
    shots(page, "note-mode-1440x900")
    box = page.locator(".composer").bounding_box()
    side = page.locator(".ticket-side").bounding_box()
    talk = page.locator("#conversation").bounding_box()
    assert box["x"] + box["width"] <= side["x"] and abs(box["x"] - talk["x"]) < 2  # under the conversation
    assert side["x"] + side["width"] <= 1440


def test_an_agent_works_tickets_from_the_keyboard(workspace, queue_of_tickets):
    context, page = workspace()
    requests = RequestLog().attach(page)
    shots = Shots("agent-ticket-keyboard")

    page.goto("/en/agent/?status=new")
    order = page.eval_on_selector_all("#queue-rows .queue-row", "rows => rows.map(r => r.dataset.reference)")
    assert len(order) >= 20
    page.mouse.wheel(0, 300)
    page.wait_for_function("() => scrollY >= 250")
    scrolled = page.evaluate("scrollY")
    page.locator(f'.queue-row[data-reference="{order[10]}"] .ticket-link').click()
    expect(page.locator("h1")).to_have_text(order[10])

    _switch_modes_keeping_the_text(page, order, shots)

    page.locator("#reply-body").fill("Checked with the acquirer: keys reloaded tonight.")
    page.get_by_role("button", name="Add internal note").click()
    expect(page.locator(".message-note").last).to_contain_text("keys reloaded tonight")
    assert len(requests.posts("/reply/")) == 1

    page.keyboard.press("?")
    expect(page.locator("#ticket-shortcuts")).to_be_visible()
    shots(page, "shortcuts")
    page.keyboard.press("?")
    expect(page.locator("#ticket-shortcuts")).to_be_hidden()

    page.keyboard.press("j")
    expect(page.locator("h1")).to_have_text(order[11])
    page.keyboard.press("k")
    expect(page.locator("h1")).to_have_text(order[10])
    page.keyboard.press("Escape")
    page.wait_for_url("**/en/agent/?status=new")
    page.wait_for_function(f"() => Math.abs(scrollY - {scrolled}) < 5")

    # r and n from the queue: the ticket opens with the cursor in the right mode.
    page.keyboard.press("j")  # the queue's own keys: j goes on from the ticket just left, n opens it for a note
    page.keyboard.press("n")
    expect(page.locator("h1")).to_have_text(order[11])
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'reply-body'")
    assert _mode(page)["note"] is True
    shots(page, "n-from-the-queue")
    page.goto("/en/agent/?status=new")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(page.locator("h1")).to_have_text(order[1])
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'reply-body'")
    assert _mode(page)["note"] is False

    assert requests.failures() == []
    context.close()


def test_without_javascript_the_tabs_still_switch_the_mode_and_send_once(workspace, agent):
    ticket = create_ticket()
    context, page = workspace(java_script_enabled=False)
    requests = RequestLog().attach(page)
    page.goto(f"/zh-hans/agent/tickets/{ticket.reference}/".replace("/zh-hans", ""))
    page.locator("#reply-body").fill("内部：明天回访")
    page.locator("label[for=mode-note]").click()
    state = _mode(page)
    assert (state["note"], state["tint"], state["buttons"]) == (True, NOTE_TINT, ["添加内部备注"])
    page.get_by_role("button", name="添加内部备注").click()
    expect(page.locator(".message-note").last).to_contain_text("明天回访")
    assert len(requests.posts("/reply/")) == 1 and requests.failures() == []
    context.close()


def test_the_gallery_rotates_and_zooms_a_sideways_photo(workspace):
    ticket = create_ticket(files=[sideways_screen("screen.jpg"), sideways_screen("second.jpg")])
    context, page = workspace(has_touch=True)
    requests = RequestLog().attach(page)
    shots = Shots("agent-ticket-gallery")
    page.goto(f"/en/agent/tickets/{ticket.reference}/")
    thumb = page.locator("#conversation .message-photo").first
    expect(thumb.locator("img")).to_be_visible()
    thumb.click()
    box = page.locator("#lightbox")
    expect(box).to_be_visible()
    page.wait_for_function("() => document.getElementById('lightbox-image').naturalWidth > 0")
    shots(page, "opened")
    page.keyboard.press("r")
    expect(box).to_have_attribute("data-rotate", "90")
    page.get_by_role("button", name="Zoom in").click()
    expect(box).to_have_attribute("data-zoom", "1.5")
    page.keyboard.press("+")
    expect(box).to_have_attribute("data-zoom", "2")
    shots(page, "rotated-and-zoomed")
    page.get_by_role("button", name="Rotate left").click()
    page.keyboard.press("R")
    expect(box).to_have_attribute("data-rotate", "270")
    page.keyboard.press("0")
    expect(box).to_have_attribute("data-rotate", "0")
    expect(box).to_have_attribute("data-zoom", "1")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#lightbox-caption")).to_contain_text("second.jpg")
    page.wait_for_function("() => document.getElementById('lightbox-image').complete")
    page.keyboard.press("Escape")
    expect(box).to_be_hidden()
    expect(thumb).to_be_focused()
    page.locator("#conversation .message-photo").nth(1).tap()  # a finger opens it as well
    expect(box).to_be_visible()
    expect(page.locator("#lightbox-caption")).to_contain_text("second.jpg")
    assert requests.failures() == []
    context.close()


def test_the_agent_sends_a_fresh_tracking_link_and_corrects_the_suggestion(workspace, agent):
    ticket = create_ticket(description="打印机打不出小票", screen_text="", response_code="")
    context, page = workspace()
    requests = RequestLog().attach(page)
    shots = Shots("agent-ticket-link-suggestion")
    page.goto(f"/en/agent/tickets/{ticket.reference}/")

    mail.outbox.clear()
    page.get_by_role("button", name="Send a new tracking link").click()
    expect(page.locator(".messages")).to_contain_text("A new tracking link is on its way")
    expect(page.locator(".timeline")).to_contain_text("Tracking link sent")
    assert [m.to for m in mail.outbox] == [["wang@example.com"]]
    assert ticket.events.filter(kind=TicketEvent.Kind.LINK_SENT).count() == 1

    title = page.locator(".suggested-article")
    expect(title).to_be_visible()
    assert "-" not in title.inner_text()  # a title, not a slug
    page.get_by_text("Suggest another article").click()
    page.locator("#article-q").fill("network")
    choice = page.locator("#article-choices input[name=article_slug]").first
    expect(choice).to_be_visible()
    shots(page, "article-picker")
    chosen = choice.get_attribute("value")
    choice.check()
    page.get_by_role("button", name="Save the correction").click()
    expect(page.locator("#suggestion")).to_contain_text("Corrected")
    ticket.classification.refresh_from_db()
    assert ticket.classification.correct_article_slug == chosen
    posts = [
        url.rsplit("/", 2)[-2] for method, url, _s in requests.entries if method == "POST" and "/presence/" not in url
    ]
    assert posts == ["tracking-link", "suggestion"]
    assert requests.failures() == []
    context.close()


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_ticket_page_passes_axe_and_is_photographed(workspace, agent, prefix):
    from tickets import services

    ticket = create_ticket(files=[sideways_screen()], requester=None)
    services.ticket_agent_reply(ticket=ticket, agent=agent, body="请先在菜单里重新签到，再试一笔小额交易。")
    services.ticket_note_add(ticket=ticket, agent=agent, body="怀疑密钥不同步，已联系收单机构。")
    services.ticket_reply(ticket=ticket, author=None, body="签到了还是一样，屏幕照片见附件。")
    language = "en" if prefix else "zh"
    shots = Shots(f"agent-ticket-{language}")
    for width, height in ((1440, 900), (1280, 720)):
        # The browser's own controls (the file picker's button) speak the agent's language too.
        context, page = workspace(width, height, locale="en-US" if prefix else "zh-CN")
        requests = RequestLog().attach(page)
        page.goto(f"{prefix}/agent/tickets/{ticket.reference}/")
        expect(page.locator("h1")).to_have_text(ticket.reference)
        shots(page, f"ticket-{width}x{height}")
        page.keyboard.press("n")
        shots(page, f"note-mode-{width}x{height}")
        assert serious_violations(page) == []
        assert requests.failures() == []
        context.close()
