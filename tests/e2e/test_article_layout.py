"""The hub article's first screen on a 390×844 phone: the action first, a header that does not eat the screen."""

import pytest
from playwright.sync_api import expect

from tests.e2e.journey import RequestLog, Shots, top_of
from tests.e2e.test_accessibility import serious_violations

SCREEN_HEIGHT = 844
# The header may take a quarter of the first screen at most (it measures 155 px in both languages).
HEADER_SHARE = 1 / 4


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_hub_starts_with_what_to_do_now(loaded_kb, phone, prefix):
    phone.goto(f"{prefix}/articles/re-sign-in-prompt/")
    Shots(f"hub-first-screen{prefix.replace('/', '-')}")(phone, "first-screen")
    header = phone.locator(".site-header").bounding_box()["height"]
    do_now = top_of(phone, ".do-now")
    print(f"\n390x844 hub {prefix or '/zh'}: header {header:.0f} px, do-now block {do_now:.0f} px")
    expect(phone.locator(".do-now")).to_be_visible()
    assert header <= SCREEN_HEIGHT * HEADER_SHARE
    assert do_now < SCREEN_HEIGHT / 2
    assert do_now < top_of(phone, ".page-toc")


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_language_button_shares_the_brand_row(loaded_kb, phone, prefix):
    phone.goto(f"{prefix}/articles/re-sign-in-prompt/")
    brand = phone.locator(".brand").bounding_box()
    language = phone.locator(".lang button").bounding_box()
    assert abs((brand["y"] + brand["height"] / 2) - (language["y"] + language["height"] / 2)) < brand["height"]


@pytest.mark.parametrize("prefix", ["", "/en"])
@pytest.mark.parametrize("slug", ["reversal-stuck", "host-outage", "re-sign-in-prompt"])
def test_an_article_issue_23_added_or_grew_reads_whole_on_a_phone_and_a_desktop(
    loaded_kb, phone, desktop, slug, prefix
):
    # Issue 23's articles carry long screen texts ("交易笔数已满，请先结算") and the hub's table grew three rows:
    # nothing may run off the side of a 390 px phone, and the page loads without a failed request.
    shots = Shots(f"issue-23-{slug}{prefix.replace('/', '-') or '-zh'}")
    for page, name in ((phone, "phone"), (desktop, "desktop")):
        log = RequestLog().attach(page)
        page.goto(f"{prefix}/articles/{slug}/")
        shots(page, name, full_page=True)
        width = page.evaluate("document.documentElement.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name}: the page scrolls sideways"
        expect(page.locator("h1")).to_be_visible()
        assert log.failures() == []
        assert serious_violations(page) == []
