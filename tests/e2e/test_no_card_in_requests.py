"""The suggestion scripts never send a card number: not in a URL, not in a request body (issue 7)."""

import pytest
from playwright.sync_api import expect

from kb.search.models import SearchLog

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("loaded_kb")]

CARD_WRITINGS = ["4111111111111111", "4111\u30001111\u30001111\u30001111", "４１１１－１１１１－１１１１－１１１１"]
DIGITS = "4111111111111111"


def _record(page) -> list:
    requests = []
    page.on("request", lambda request: requests.append(request))
    return requests


def _carries_card(request) -> bool:
    import unicodedata
    from urllib.parse import unquote

    text = unquote(request.url) + unquote(request.post_data or "")
    digits = "".join(str(unicodedata.decimal(c)) for c in text if unicodedata.decimal(c, None) is not None)
    return DIGITS in digits


@pytest.mark.parametrize("card", CARD_WRITINGS)
def test_the_ticket_form_suggestions_post_the_text_without_the_card_number(phone, card):
    requests = _record(phone)
    phone.goto("/tickets/new/")
    with phone.expect_response(lambda r: "/api/search" in r.url) as answered:
        phone.fill("#id_description", f"刷卡提示请重新签到 卡号 {card}")
    response = answered.value

    assert response.status == 200
    assert response.request.method == "POST"
    assert "?" not in response.request.url
    expect(phone.locator("#ticket-suggest")).to_be_visible()
    assert not [r.url for r in requests if _carries_card(r)]
    assert all(DIGITS not in (log.query + log.normalized) for log in SearchLog.objects.all())


def test_the_search_box_suggestions_drop_the_card_number(phone):
    requests = _record(phone)
    phone.goto("/")
    with phone.expect_response(lambda r: "/api/search" in r.url) as answered:
        phone.locator("form.search-form [name=q]").first.fill("请重新签到 4111 1111 1111 1111")
    assert answered.value.status == 200
    assert not [r.url for r in requests if _carries_card(r)]
