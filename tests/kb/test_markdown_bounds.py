"""Issue 18 §4.3: no Markdown text keeps a worker busy; what editors write still renders as before."""

import pytest

from kb.markdown import TAG_BUDGET, render
from tests.timeguard import time_guard

GUARD_SECONDS = 10  # linear work takes well under a second here; the "<http://a" text took 104 s


def _guard(seconds: int = GUARD_SECONDS):
    return time_guard(seconds, "not rendered in time")


@pytest.mark.parametrize(
    "text",
    [
        "<http://a" * 20_000,
        "<a " * 20_000,
        "<a x='>' " * 20_000,
        "<![CDATA[" * 20_000,
        "<a\n" * 20_000,
        "<b><i>" * 40_000,
        '<div x="">\n\n' * 40_000,
        "<http://a>" * 40_000,
    ],
    ids=["unclosed autolinks", "unclosed tags", "quoted >", "cdata", "tag per line", "tags", "html blocks",
         "autolinks"],
)  # fmt: skip
def test_a_preview_of_hostile_markup_finishes(text):
    with _guard():
        body, _toc = render(text, language="en")

    assert "<script" not in body


def _body(text: str) -> str:
    return render(text, language="en")[0]


def test_autolinks_still_become_links():
    body = _body("See <https://example.com/help> or write to <help@example.com>.")

    assert '<a href="https://example.com/help"' in body
    assert "mailto:" in body


def test_allowed_html_still_renders():
    assert "<kbd>确认</kbd>" in _body("按 <kbd>确认</kbd> 键")


def test_a_comment_is_still_left_out():
    assert "note" not in _body("text <!-- note --> more")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("if a < b then", "a &lt; b"),
        ("`x <http://a` code", "<code>x &lt;http://a</code>"),
        ("```\n<a x='\n```", "&lt;a x='"),
        ("<![CDATA[ x", "&lt;![CDATA[ x"),
    ],
)
def test_a_lone_less_than_sign_is_shown_as_typed(text, shown):
    assert shown in _body(text)


def test_tags_past_the_budget_are_shown_as_typed():
    body = _body("<b>x</b>" * (TAG_BUDGET // 2) + " <b>late</b>")

    assert "&lt;b&gt;late" in body or "&lt;b>late" in body
    assert body.count("<b>") == TAG_BUDGET // 2
