"""Every page a merchant meets passes axe-core (served from the installed axe-playwright-python package, no
CDN) with no serious or critical violation, in both languages; focus rings and tap targets are big enough."""

import re
from pathlib import Path

import axe_playwright_python
import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.e2e.journey import Shots
from tests.tickets.conftest import form_data

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(axe_playwright_python.__file__).with_name("axe.min.js")
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}
PAGES = [
    "/",
    "/articles/re-sign-in-prompt/",
    "/codes/",
    "/codes/A0/",
    "/search/?q=签到",
    "/tickets/new/",
    "/tickets/find/",
]


def serious_violations(page) -> list[str]:
    # Evaluated by the browser's devtools protocol, not added as a <script>: the site's Content-Security-Policy
    # rightly refuses an inline script it did not give a nonce, and the test must not weaken it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def tracking_url(db):
    response = Client().post("/tickets/new/", form_data())
    return response["Location"]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_every_merchant_page_has_no_serious_accessibility_violation(loaded_kb, phone, tracking_url, prefix):
    shots = Shots(f"axe{prefix.replace('/', '-') or '-zh'}")
    found = {}
    pages = [prefix + path for path in PAGES] + [prefix + tracking_url, prefix + tracking_url.removesuffix("sent/")]
    for path in pages:
        phone.goto(path)
        shots(phone, path)
        found[path] = serious_violations(phone)
    # The ticket form as it comes back with errors.
    phone.goto(prefix + "/tickets/new/")
    phone.locator("button.send").click()
    expect(phone.locator("#form-errors")).to_be_visible()
    found["form with errors"] = serious_violations(phone)
    assert {path: issues for path, issues in found.items() if issues} == {}


def _contrast(first: str, second: str) -> float:
    def luminance(color: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"[\d.]+", color)[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


BACKGROUND = """el => {
  for (let node = el.parentElement; node; node = node.parentElement) {
    const color = getComputedStyle(node).backgroundColor;
    if (color && color !== "rgba(0, 0, 0, 0)" && color !== "transparent") return color;
  }
  return "rgb(255, 255, 255)";
}"""


def test_the_focus_ring_stands_out_at_least_three_to_one(loaded_kb, phone):
    phone.goto("/articles/re-sign-in-prompt/")
    for selector in (".brand", ".main-nav a", ".lang button", ".crumbs a", "#feedback button", "main a.button"):
        element = phone.locator(selector).first
        element.focus()
        phone.keyboard.press("Shift+Tab")
        phone.keyboard.press("Tab")  # focused from the keyboard, so :focus-visible applies
        ring = element.evaluate("el => getComputedStyle(el).outlineColor")
        assert element.evaluate("el => getComputedStyle(el).outlineStyle") != "none", selector
        assert _contrast(ring, element.evaluate(BACKGROUND)) >= 3, f"{selector}: {ring}"


TARGETS = [".site-header a", ".site-header button", ".crumbs a", "table.codes a", ".site-footer a"]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_header_breadcrumb_code_table_and_footer_links_are_44_pixels(loaded_kb, phone, prefix):
    small = []
    for path in ("/codes/", "/codes/A0/"):
        phone.goto(prefix + path)
        for selector in TARGETS:
            for element in phone.locator(selector).all():
                box = element.bounding_box()
                if box and element.is_visible() and (box["height"] < 44 or box["width"] < 44):
                    small.append(f"{path} {selector} {element.inner_text()!r}: {box['width']:.0f}×{box['height']:.0f}")
    assert small == []
