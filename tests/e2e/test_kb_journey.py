"""A merchant on a phone: home → article → 'did not solve it' → ticket form; and the language switch."""

import re

import pytest
from playwright.sync_api import expect

from kb.models import ArticleVote
from tests.e2e.journey import RequestLog, Shots

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_merchant_reads_the_hub_article_and_asks_for_help_when_it_did_not_solve_it(loaded_kb, any_phone):
    shots = Shots(f"hub-to-ticket-{any_phone.profile}")
    log = RequestLog().attach(any_phone)
    any_phone.goto("/")
    shots(any_phone, "home")
    any_phone.get_by_role("link", name=re.compile("请重新签到")).first.click()
    expect(any_phone.locator("h1")).to_contain_text("重新签到")
    expect(any_phone.locator(".do-now")).to_be_in_viewport()
    shots(any_phone, "hub-first-screen")
    expect(any_phone.locator(".page-toc")).to_be_visible()

    any_phone.locator("#vote-code").select_option("A0")
    any_phone.get_by_role("button", name="没解决，我还需要帮助").click()

    expect(any_phone).to_have_url(re.compile(r"/tickets/new/\?article=re-sign-in-prompt&code=A0$"))
    expect(any_phone.locator("#id_response_code")).to_have_value("A0")
    shots(any_phone, "ticket-form")
    assert ArticleVote.objects.filter(article__slug="re-sign-in-prompt", helpful=False).count() == 1
    assert log.failures() == []
    assert len(log.posts("/articles/")) == 1


def test_the_language_switch_keeps_english_across_pages(loaded_kb, phone):
    phone.goto("/articles/re-sign-in-prompt/")
    phone.get_by_role("button", name="English").click()
    expect(phone).to_have_url(re.compile(r"/en/articles/re-sign-in-prompt/$"))
    expect(phone.locator("html")).to_have_attribute("lang", "en")

    phone.get_by_role("link", name="Response codes").first.click()
    expect(phone).to_have_url(re.compile(r"/en/codes/$"))
    expect(phone.locator("h1")).to_have_text("Response codes")


def test_the_code_page_says_whether_signing_on_again_helps(loaded_kb, phone):
    phone.goto("/en/codes/A0/")
    expect(phone.locator(".facts")).to_contain_text("Yes. Sign on")
    phone.goto("/en/codes/51/")
    expect(phone.locator(".facts")).to_contain_text("will not fix")
