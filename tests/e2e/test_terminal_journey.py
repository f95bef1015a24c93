"""A merchant on a phone picks their terminal model once; every article then shows that model's menu paths."""

import pytest
from playwright.sync_api import expect

from kb.models import TerminalModel

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_merchant_picks_a_terminal_model_once_and_later_articles_show_its_paths(loaded_kb, phone):
    model = TerminalModel.objects.get(slug="generic-smart")
    phone.goto("/articles/re-sign-in-prompt/")
    panel = phone.locator("#terminal-paths")
    expect(panel).to_contain_text("先做操作员签到")  # the generic path until a model is chosen

    with phone.expect_navigation():
        phone.get_by_label("您的终端机型").select_option(model.slug)  # no button press: the script submits

    expect(panel).to_contain_text(model.sign_on_zh)
    phone.goto("/articles/settle-and-sign-off/")
    expect(phone.locator("#terminal-paths")).to_contain_text(model.settlement_zh)
    expect(phone.get_by_label("您的终端机型")).to_have_value(model.slug)
