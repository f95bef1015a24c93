"""The hub article's first screen on a 390×844 phone: the action first, a header that does not eat the screen."""

import pytest
from playwright.sync_api import expect

from tests.e2e.journey import Shots, top_of

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
