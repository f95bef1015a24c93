"""A merchant finds the fix by searching: suggestions while typing, keyboard selection, results page."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from kb.search.models import SearchLog
from tests.e2e.journey import Shots
from tests.e2e.test_accessibility import serious_violations


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


# What merchants type (the blind test's queries), per language: what must be marked (as typed, or lighter as
# a synonym the page says instead) and what must never be.
MARKS = {
    "结不了账": ({"related": {"结算"}}, {"结", "账", "不了", "失败", "不行"}),
    "签到不行": ({"typed": {"签到"}}, {"不了", "不行", "失败"}),
    "no dough on the card": ({}, {"no", "not", "on", "one", "once"}),
    "qiandao shibai": ({"typed": {"签到", "失败"}}, set()),
}
EXPECTED_EN = {"no dough on the card": {"typed": {"card"}}, "结不了账": {"related": {"settlement"}}}


def _marks(page) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"typed": set(), "related": set()}
    for text, related in page.locator(".search-results mark").evaluate_all(
        "marks => marks.map(m => [m.textContent, m.classList.contains('related')])"
    ):
        found["related" if related else "typed"].add(text.lower())
    return found


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_results_mark_what_was_typed_and_never_lone_characters_or_function_words(loaded_kb, phone, prefix):
    # One browser per language for the four queries: the knowledge base is loaded once.
    for query in MARKS:
        phone.goto(f"{prefix}/search/?q={quote(query)}")
        expect(phone.locator(".search-results li").first).to_be_visible()
        Shots(f"search-marks{prefix.replace('/', '-') or '-zh'}-{query}")(phone, "results")
        # The heading says pages were found, not "nothing found".
        expect(phone.locator("p[role=status]")).to_contain_text("找到" if not prefix else "found")
        expect(phone.locator("#no-results-heading")).to_have_count(0)
        found = _marks(phone)
        wanted, never = MARKS[query]
        for kind, words in (EXPECTED_EN.get(query, wanted) if prefix else wanted).items():
            assert words <= found[kind], (query, kind, found)
        assert not never & (found["typed"] | found["related"]), (query, found)
        assert serious_violations(phone) == [], query


@pytest.mark.parametrize(
    ("prefix", "closest", "nothing"),
    [("", "与“wangqiu”最接近的内容", "没有找到"), ("/en", "The closest pages to “wangqiu”", "Nothing found")],
)
def test_close_pages_and_no_pages_are_headed_for_what_they_are(loaded_kb, phone, prefix, closest, nothing):
    # Pinyin for "网球" (tennis): no page matches it; pages with "wan…" (网络, the network) share its start. The
    # hint about codes not in the table is for a query nothing matches, not for this one.
    phone.goto(f"{prefix}/search/?q=wangqiu")
    expect(phone.get_by_role("heading", name=closest)).to_be_visible()
    Shots(f"search-closest{prefix.replace('/', '-') or '-zh'}")(phone, "closest")
    expect(phone.locator("[data-code-hint]")).to_have_count(0)
    expect(phone.locator(".no-results li").first).to_be_visible()
    assert serious_violations(phone) == []
    phone.goto(f"{prefix}/search/?q={quote('量子纠缠')}")
    expect(phone.get_by_role("heading", name=re.compile(nothing))).to_be_visible()
    expect(phone.locator("[data-code-hint]")).to_be_visible()
    assert serious_violations(phone) == []
