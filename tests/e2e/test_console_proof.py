"""Every console page as an agent meets it: axe-core finds no serious or critical violation in either language,
the Chinese console shows no English words and the English one no Chinese (the merchants' own words aside),
nothing scrolls sideways at 1024 px, and screenshots of each page at 1440×900 and 1280×720 are written."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from tests.agents.conftest import details
from tests.e2e.journey import Shots
from tests.e2e.test_accessibility import serious_violations
from tests.tickets.conftest import log_file
from tickets.models import Attachment, RoutingRule
from tickets.services import ticket_create
from tickets.services.routing import routing_rule_save, team_save

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"1440x900": (1440, 900), "1280x720": (1280, 720)}
# Latin that belongs in Chinese text too: the domain's abbreviations (A0 is "MAC校验错"), file sizes, and what
# the merchant's file is called and how it is encoded (pos.log, stored as pos.log.txt; UTF-8 or GB18030).
LATIN_ALLOWED = {"POS", "MID", "TID", "SN", "RRN", "CSV", "ID", "MAC", "KB", "MB", "pos", "log", "txt", "UTF", "GB"}
# An article's address (its slug) is an identifier, not a sentence.
_SLUG = re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+)+\b")
_LATIN = re.compile(r"[A-Za-z]{2,}")
_CJK = re.compile(r"[\u3400-\u9fff]")

# The visible text of the page in its own language: elements marked with another language (the language
# switch), keyboard keys and the lines of a merchant's log file are left out.
VISIBLE_TEXT = """() => {
    const own = document.documentElement.lang;
    const texts = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, element = node.parentElement;
        if (!element || !node.textContent.trim()) continue;
        if (element.closest("script, style, template, kbd, .log-view td")) continue;
        const marked = element.closest("[lang]");
        if (marked && marked !== document.documentElement && marked.lang !== own) continue;
        if (!element.checkVisibility()) continue;
        texts.push(node.textContent.trim());
    }
    for (const element of document.querySelectorAll("[placeholder], [aria-label]")) {
        if (!element.checkVisibility()) continue;
        texts.push(element.getAttribute("placeholder") || element.getAttribute("aria-label"));
    }
    return texts;
}"""


def _ticket(n: int, *, english: bool, files=()):
    now = timezone.now()
    values = (
        {
            "contact_name": "Wang Fang",
            "description": f"Card payment {n} fails with a timeout; the customer tried twice.",
            "screen_text": "Transaction timed out",
            "acquirer": "Lakala",
            "location": "Shenzhen, Nanshan",
        }
        if english
        else {
            "contact_name": "王芳",
            "description": f"第{n}笔扫码支付失败，屏幕显示交易超时，顾客已重试两次。",
            "screen_text": "交易超时",
            "acquirer": "拉卡拉",
            "location": "深圳市南山区",
        }
    )
    ticket = ticket_create(
        requester=None,
        details=details(**values),
        submission_key=f"proof-{english}-{n:040d}",
        files=files,
    )
    type(ticket).objects.filter(pk=ticket.pk).update(first_response_due=now + timedelta(hours=n + 1))
    return ticket


@pytest.fixture
def console(browser, live_server, agent):
    """A 1440×900 page signed in as an agent (with a name), and the log of its failed requests."""
    client = Client()
    client.force_login(agent)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.failed = []
    page.on("response", lambda response: page.failed.append(response.url) if response.status >= 400 else None)
    yield page
    context.close()


def _world(agent, *, english: bool):
    """Twenty tickets, one with a log file, routed to the agent's team; the agent named in the page's language."""
    agent.first_name, agent.last_name = ("Li", "Ming") if english else ("李", "明")
    agent.save()
    team = team_save(actor=agent, name="Lakala desk" if english else "拉卡拉组", members=[agent])
    routing_rule_save(actor=agent, team=team, field=RoutingRule.Field.ACQUIRER, value="Lakala" if english else "拉卡拉")
    with_log = _ticket(0, english=english, files=[log_file(text="2026-05-01 10:00:01 SIGN ON FAILED A0\n" * 40)])
    tickets = [with_log, *(_ticket(n, english=english) for n in range(1, 20))]
    log = Attachment.objects.get(ticket=with_log, kind="log")
    return tickets, team, log


def _pages(prefix: str, tickets, team, log) -> dict[str, str]:
    reference = tickets[0].reference
    return {
        "queue": f"{prefix}/agent/",
        "queue-unread": f"{prefix}/agent/?view=unread",
        "queue-team": f"{prefix}/agent/?team={team.pk}",
        "queue-filters-open": f"{prefix}/agent/?acquirer=x",
        "ticket": f"{prefix}/agent/tickets/{reference}/",
        "log-viewer": f"{prefix}/agent/tickets/{reference}/logs/{log.pk}/",
        "dashboard": f"{prefix}/agent/dashboard/",
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_console_page_passes_axe_and_speaks_one_language(console, agent, language):
    english = language == "en"
    page = console
    pages = _pages("/en" if english else "", *_world(agent, english=english))
    problems = {}
    for name, url in pages.items():
        page.goto(url)
        violations = serious_violations(page)
        texts = page.evaluate(VISIBLE_TEXT)
        if english:
            foreign = sorted({text for text in texts if _CJK.search(text)})
        else:
            foreign = sorted({text for text in texts if set(_LATIN.findall(_SLUG.sub("", text))) - LATIN_ALLOWED})
        if violations or foreign:
            problems[name] = {"axe": violations, "other language": foreign}
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)
    assert page.failed == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_screenshots_of_each_console_page_and_nothing_scrolls_sideways_at_1024(console, agent, language):
    english = language == "en"
    page = console
    pages = _pages("/en" if english else "", *_world(agent, english=english))
    shots = Shots(f"console-proof-{language}")
    for name in ("queue", "ticket", "log-viewer", "dashboard"):
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(pages[name])
            shots(page, f"{name}-{size}")
        page.set_viewport_size({"width": 1024, "height": 768})
        page.goto(pages[name])
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow} px at 1024 wide"
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(pages["queue"])
    first = page.locator(".queue-row").first.bounding_box()
    assert first["y"] < 400
    assert page.failed == []
