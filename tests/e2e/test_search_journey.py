"""A merchant finds the fix by searching: suggestions while typing, keyboard selection, results page."""

import re

from playwright.sync_api import expect

from kb.search.models import SearchLog
from tests.e2e.journey import Shots


def test_a_merchant_picks_a_suggestion_with_the_keyboard(loaded_kb, desktop):
    desktop.goto("/")
    box = desktop.get_by_role("combobox")
    # Traditional characters for "sign-on failed": the sign-on troubleshooting page first (issue 23).
    box.press_sequentially("簽到失敗", delay=30)
    options = desktop.get_by_role("option")
    expect(options.first).to_be_visible()
    expect(options.first).to_contain_text("签到本身失败")
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(desktop).to_have_url(re.compile(r"/articles/sign-on-fails/\?q=[^&]+$"))
    log = SearchLog.objects.filter(source="suggest").latest("pk")
    assert log.opened_position == 1


def test_escape_closes_the_suggestions_and_enter_then_searches(loaded_kb, phone):
    phone.goto("/")
    box = phone.get_by_role("combobox")
    box.press_sequentially("a0", delay=30)
    expect(phone.get_by_role("option").first).to_contain_text("A0")
    box.press("Escape")
    expect(phone.get_by_role("listbox")).to_be_hidden()
    box.press("Enter")
    expect(phone).to_have_url(re.compile(r"/search/\?q=a0$"))
    expect(phone.locator(".search-results li").first).to_contain_text("MAC")


def test_a_search_with_no_results_offers_support_with_the_query(loaded_kb, phone):
    phone.goto("/search/?q=量子纠缠")
    expect(phone.get_by_role("heading", name=re.compile("没有找到"))).to_be_visible()
    phone.locator(".contact-box").get_by_role("link", name="联系客服").click()
    expect(phone).to_have_url(re.compile(r"/tickets/new/\?q="))


def test_suggestions_are_titles_with_one_short_line_at_most_five(loaded_kb, phone):
    phone.goto("/")
    phone.get_by_role("combobox").press_sequentially("签到", delay=30)
    options = phone.get_by_role("option")
    expect(options.first).to_be_visible()
    Shots("suggestions-phone")(phone, "suggestions")
    assert 1 <= options.count() <= 5
    assert max(options.nth(index).locator(".suggest-line").count() for index in range(options.count())) <= 1
    lines = options.locator(".suggest-line")
    assert lines.count() >= 1  # the check below runs on something: "签到" has articles with a short line
    for index in range(lines.count()):
        line = lines.nth(index)
        box = line.bounding_box()
        assert box["height"] < 2 * float(line.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))


def test_the_ticket_form_does_not_suggest_the_article_that_did_not_help(loaded_kb, phone):
    phone.goto("/articles/re-sign-in-prompt/")
    phone.locator("#feedback button[value=no]").click()
    expect(phone).to_have_url(re.compile(r"/tickets/new/\?article=re-sign-in-prompt"))
    with phone.expect_response(re.compile(r"/api/search")) as answer:
        phone.locator("#id_description").press_sequentially("请重新签到", delay=30)
    assert any(r["url"] == "/articles/re-sign-in-prompt/" for r in answer.value.json()["results"])
    expect(phone.locator("#ticket-suggest")).to_be_visible()
    links = phone.locator("#ticket-suggest .suggest-link")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs and "/articles/re-sign-in-prompt/" not in hrefs
