"""The suggested answer follows the language of the ticket's text, not the form it came through (issue 21).

Realistic tickets: every Chinese ticket of the labelled set (tests/tickets/classification_set.yaml), filed as
if through the English form (ticket.language "en"), and mixed Chinese/English texts. Before, the English form
meant English articles only; measured here, old way against new, and printed."""

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from tickets.classify import classify_text, classify_ticket, text_languages

SET = Path(__file__).with_name("classification_set.yaml")
MIXED = [
    # (text a merchant typed, article an agent would send)
    ("POS shows MAC校验错 when I swipe, every card fails", "keys-out-of-sync"),
    ("the terminal says 通讯失败, cannot connect to the host", "fix-network"),
    ("签到失败 sign on failed, download working key failed", "sign-on-fails"),
    ("printer does not print, 打印机不出纸", "fix-hardware"),
]


def _chinese_examples() -> list[dict]:
    return [e for e in yaml.safe_load(SET.read_text(encoding="utf-8")) if e["language"] == "zh-hans"]


def _ticket(description: str, *, screen_text: str = "", response_code: str = "", language: str = "en"):
    return SimpleNamespace(
        description=description, screen_text=screen_text, response_code=response_code, steps=[], language=language
    )


def test_the_text_names_its_languages():
    assert text_languages("刷卡提示MAC校验错，POS签到也不行", fallback="en") == ["zh-hans"]
    assert text_languages("刷卡一直显示通讯失败，wifi是好的", fallback="en") == ["zh-hans"]
    assert text_languages("the printer does not print receipts", fallback="zh-hans") == ["en"]
    assert text_languages("POS shows MAC校验错 when I swipe", fallback="zh-hans") == ["zh-hans", "en"]
    assert text_languages("A0", fallback="en") == ["en"]


@pytest.mark.django_db
def test_chinese_tickets_from_the_english_form_are_matched_against_chinese_articles(loaded_kb):
    examples = _chinese_examples()
    old = new = same_form = 0
    for example in examples:
        ticket = _ticket(
            example["description"], screen_text=example["screen_text"], response_code=example.get("code", "")
        )
        old += classify_text(ticket, language="en").article_slug == example["article"]
        new += classify_ticket(ticket).article_slug == example["article"]
        same_form += classify_text(ticket, language="zh-hans").article_slug == example["article"]
    n = len(examples)
    print(
        f"\nChinese text, English form: {old}/{n} right before, {new}/{n} now ({same_form}/{n} from the Chinese form)"
    )
    assert new == same_form  # the form no longer matters
    assert new - old >= 5  # measured: 34 of 52 before, 43 now on SQLite; 37 and 42 on PostgreSQL


@pytest.mark.django_db
def test_mixed_text_is_searched_in_both_languages(loaded_kb):
    right = 0
    for text, article in MIXED:
        for form in ("zh-hans", "en"):
            right += classify_ticket(_ticket(text, language=form)).article_slug == article
    print(f"\nmixed text: {right}/{2 * len(MIXED)} right")
    assert right >= 2 * len(MIXED) - 2  # measured 6 of 8: "签到失败 sign on failed" is taken for sign-in-vs-sign-on
