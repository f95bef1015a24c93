"""The agent console as a new agent sees it on a desktop: a visible header, a dense queue, the first row on screen."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from tests.agents.conftest import make_ticket
from tests.e2e.journey import Shots
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"1440x900": (1440, 900), "1280x720": (1280, 720), "1024x768": (1024, 768)}


@pytest.fixture
def console(browser, live_server, agent):
    """A 1440×900 page signed in as an agent."""
    client = Client()
    client.force_login(agent)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def twenty_tickets():
    now = timezone.now()
    return [
        make_ticket(
            first_response_due=now + timedelta(hours=n + 1),
            description=f"第{n}笔扫码支付失败，屏幕显示交易超时，请联系收单机构。商户反复重试后仍然失败，顾客已离开。",
        )
        for n in range(20)
    ]


def _colors(page, selector):
    return page.eval_on_selector(
        selector,
        """el => {
            const color = getComputedStyle(el).color;
            let node = el, background = "rgba(0, 0, 0, 0)";
            while (node && (background === "rgba(0, 0, 0, 0)" || background === "transparent")) {
                background = getComputedStyle(node).backgroundColor; node = node.parentElement;
            }
            return [color, background];
        }""",
    )


def _rows_in_view(page):
    return page.eval_on_selector_all(
        ".queue-row",
        "rows => rows.filter(r => { const b = r.getBoundingClientRect(); "
        "return b.top >= 0 && b.bottom <= innerHeight; }).length",
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_queue_shows_a_visible_header_and_a_dense_table_at_1440x900(console, twenty_tickets, language):
    page = console
    page.goto("/agent/" if language == "zh-hans" else "/en/agent/")

    color, background = _colors(page, ".console-header .brand")
    assert color != background, "the console's name is invisible against its header"
    for selector in (".console-user", ".console-header .lang button", ".console-header form:last-child button"):
        assert page.locator(selector).first.is_visible()

    assert page.locator(".queue-side").is_visible(), "the views sidebar is missing"
    side = page.locator(".queue-side").bounding_box()
    body = page.locator(".queue-table").bounding_box()
    assert side["x"] + side["width"] <= body["x"], "the views sidebar is not beside the ticket list"

    first = page.locator(".queue-row").first.bounding_box()
    assert first["y"] < 400, f"the first ticket row starts at y = {first['y']}"
    assert _rows_in_view(page) >= 15

    line = page.eval_on_selector(".queue-table th", "th => parseFloat(getComputedStyle(th).lineHeight)")
    headers = page.eval_on_selector_all(".queue-table th", "ths => ths.map(th => th.getBoundingClientRect().height)")
    for height in headers:
        assert height < 2 * line, "a column header wraps onto a second line"
    for height in page.eval_on_selector_all(".queue-row", "rows => rows.map(r => r.getBoundingClientRect().height)"):
        assert height < 2 * line + 8, "a ticket row wraps onto a second line"


def test_the_bulk_bar_appears_when_a_ticket_is_selected(console, twenty_tickets):
    page = console
    page.goto("/en/agent/")
    bar = page.locator(".bulk-actions")
    assert not page.locator("#bulk-assignee").is_visible()
    page.locator(".queue-row input[name=ids]").nth(1).check()
    page.locator(".queue-row input[name=ids]").nth(2).check()
    assert page.locator("#bulk-assignee").is_visible()
    assert "2 selected" in bar.inner_text()
    box = bar.bounding_box()
    assert box["height"] < 60, "the bulk actions are not one compact row"
    first = page.locator(".queue-row").first.bounding_box()
    assert first["y"] < 400


def test_the_focus_ring_shows_in_the_console(console, twenty_tickets):
    page = console
    page.goto("/en/agent/")
    page.locator(".queue-row .ticket-link").first.focus()
    outline = page.eval_on_selector(".queue-row .ticket-link", "a => getComputedStyle(a).outlineStyle")
    assert outline not in ("none", "")


def test_screenshots_of_the_console_at_two_desktop_sizes(console, twenty_tickets):
    page = console
    shots = Shots("console-layout")
    ticket = twenty_tickets[0]
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/agent/")
        shots(page, f"queue-{name}")
        page.locator(".queue-row input[name=ids]").first.check()
        shots(page, f"queue-selected-{name}")
        page.goto(f"/agent/tickets/{ticket.reference}/")
        shots(page, f"ticket-{name}")
        conversation = page.locator("#conversation").bounding_box()
        side = page.locator(".ticket-side").bounding_box()
        assert conversation["x"] + conversation["width"] <= side["x"], "the properties are not beside the conversation"
        page.goto("/agent/dashboard/")
        shots(page, f"dashboard-{name}")
        page.goto("/en/agent/")
        shots(page, f"queue-en-{name}")
        page.locator(".queue-row input[name=ids]").first.check()
        shots(page, f"queue-en-selected-{name}")


# Columns whose every word counts (a status, a priority, a time, a name): never cut. The problem text may end
# in "…" by design (the row stays one line; the ticket page shows it whole), and so may the terminal's MID
# shown after the TID from 1440 px; below that the cell holds the TID and its repeats badge, whole.
WHOLE_COLUMNS = (3, 4, 5, 8, 9)


def _clipped(page, columns=WHOLE_COLUMNS) -> list[str]:
    """Headers, and cells of the whole-word columns, whose text does not fit (cut or ending in "…")."""
    cells = ", ".join(f".queue-row td:nth-child({n})" for n in columns)
    return page.eval_on_selector_all(
        f".queue-table thead th, {cells}",
        "els => els.filter(el => getComputedStyle(el).display !== 'none' && el.scrollWidth > el.clientWidth)"
        ".map(el => `${el.textContent.trim()} (${el.scrollWidth} > ${el.clientWidth})`)",
    )


@pytest.fixture
def every_status_and_priority(twenty_tickets):
    """The longest labels the columns hold ("Waiting on merchant", "Urgent"…), none assigned ("Unassigned")."""
    statuses, priorities = Ticket.Status.values, Ticket.Priority.values
    for n, ticket in enumerate(twenty_tickets):
        Ticket.objects.filter(pk=ticket.pk).update(status=statuses[n % len(statuses)], priority=priorities[n % 4])
    return twenty_tickets


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("size", ["1024x768", "1280x720", "1440x900"])
def test_every_queue_header_and_label_is_readable_on_one_line(console, every_status_and_priority, language, size):
    page = console
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/agent/?view=all&sort=age" if language == "zh-hans" else "/en/agent/?view=all&sort=age")
    assert page.locator(".queue-row").count() >= 15
    clipped = _clipped(page, WHOLE_COLUMNS + ((6,) if width < 1440 else ()))
    assert clipped == [], " | ".join(sorted(set(clipped)))
    line = page.eval_on_selector(".queue-table th", "th => parseFloat(getComputedStyle(th).lineHeight)")
    for height_px in page.eval_on_selector_all(
        ".queue-table th", "ths => ths.map(th => th.getBoundingClientRect().height)"
    ):
        assert height_px < 2 * line, "a column header wraps onto a second line"
    # The list fits the screen: no sideways scrolling to reach a column.
    assert page.eval_on_selector("#queue-rows", "el => el.scrollWidth <= el.clientWidth")


def test_the_bulk_bar_moves_the_selected_tickets_to_a_team_and_stays_one_row(console, twenty_tickets, agent):
    from tickets.services.routing import team_save

    team = team_save(actor=agent, name="拉卡拉组", members=[agent])
    page = console
    page.goto("/en/agent/")
    for n in (0, 1):
        page.locator(".queue-row input[name=ids]").nth(n).check()
    Shots("console-bulk-team")(page, "queue-en-bulk-team-1440x900")
    assert page.locator(".bulk-actions").bounding_box()["height"] < 60, "the bulk actions are not one compact row"
    page.select_option("#bulk-team", label="拉卡拉组")
    page.locator("button[name=action][value=team]").click()
    page.wait_for_selector(".messages")
    assert "2 tickets updated." in page.locator(".messages").inner_text()
    assert Ticket.objects.filter(team=team).count() == 2


def _bulk_rows(page) -> int:
    """How many lines the bulk bar's visible controls sit on (the legend, hidden for screen readers, aside)."""
    return page.eval_on_selector(
        ".bulk-actions",
        """bar => {
            const boxes = [...bar.children].map(el => el.getBoundingClientRect()).filter(b => b.width > 1);
            let lines = 0, bottom = -Infinity;
            for (const b of boxes.sort((a, c) => a.top - c.top)) {
                if (b.top >= bottom) { lines += 1; bottom = b.bottom; } else { bottom = Math.max(bottom, b.bottom); }
            }
            return lines;
        }""",
    )


def _cut_menus(page) -> list[str]:
    """The bar's menus narrower than their longest option (a copy without the bar's width limit measures it)."""
    return page.eval_on_selector_all(
        ".bulk-actions select",
        """menus => menus.map(menu => {
            const whole = menu.cloneNode(true);
            Object.assign(whole.style, {maxWidth: "none", width: "auto", position: "absolute", visibility: "hidden"});
            menu.after(whole);
            const need = whole.getBoundingClientRect().width, has = menu.getBoundingClientRect().width;
            whole.remove();
            return has + 0.5 < need ? `#${menu.id} (${Math.round(has)} < ${Math.round(need)})` : "";
        }).filter(Boolean)""",
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("size", ["1024x768", "1280x720", "1440x900"])
def test_the_bulk_bar_is_one_row_and_shows_each_menu_whole(console, twenty_tickets, agent, language, size):
    from tickets.services.routing import team_save

    team_save(actor=agent, name="拉卡拉组", members=[agent])  # the fourth menu, as a console with teams has
    page = console
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/agent/" if language == "zh-hans" else "/en/agent/")
    for n in (0, 1):
        page.locator(".queue-row input[name=ids]").nth(n).check()
    # The status menu's longest option ("Waiting on merchant") is the one shown when the bar opens.
    page.select_option("#bulk-status", "waiting_on_merchant")
    Shots(f"console-bulk-{language}-{size}")(page, f"queue-{language}-bulk-{size}")
    assert _bulk_rows(page) == 1, "the bulk actions wrap onto a second row"
    assert _cut_menus(page) == [], "a bulk menu cuts its text"
