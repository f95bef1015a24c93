"""Mark Chinese phrases inside English pages with lang="zh-Hans", so screen readers switch voice and
browsers pick a Chinese font (labels such as "Terminal ID (TID, 终端编号)", screen texts, article bodies)."""

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# A run of Chinese characters, with the full-width punctuation and quotes inside or right after it.
_CHINESE_RUN = re.compile(
    r"[“‘]?[\u3400-\u9fff][\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”‘’·\s\d]*[\u3400-\u9fff\u3000-\u303f\uff00-\uffef”’]?"
)
_TAG = re.compile(r"(<[^>]*>)")


def _in_english() -> bool:
    return (get_language() or "").startswith("en")


def _mark(text: str) -> str:
    return _CHINESE_RUN.sub(lambda m: f'<span lang="zh-Hans">{m.group(0)}</span>', text)


@register.filter
def mark_chinese(value) -> str:
    """Escape plain text and, on English pages, put its Chinese phrases in <span lang="zh-Hans">."""
    escaped = str(conditional_escape(value))
    return mark_safe(_mark(escaped) if _in_english() else escaped)  # noqa: S308 (escaped above)


@register.filter
def mark_chinese_html(value) -> str:
    """The same for sanitized HTML (an article body): only text between tags is touched."""
    html = str(value)
    if not _in_english():
        return mark_safe(html)  # noqa: S308 (sanitized when the article was saved)
    parts = _TAG.split(html)
    return mark_safe("".join(part if part.startswith("<") else _mark(part) for part in parts))  # noqa: S308


@register.filter
def unbroken(value) -> str:
    """Escape a reference or a date and keep it on one line: "POS-2026-000003" must not break at its hyphens
    on a phone (used inside translated sentences, where the markup cannot go into the message)."""
    return format_html('<span class="nowrap">{}</span>', value)


# An address in support's text, Chinese punctuation around it included ("详见：https://…。"), which Django's
# urlize misses: it splits words at spaces only, and Chinese has none.
_URL = re.compile(r"https?://[^\s<>\"'，。；：！？、（）【】《》“”‘’]+(?<![.,;:!?)])")


@register.filter
def link_urls(value) -> str:
    """Escape text and make each web address in it a link (rel="nofollow", as urlize does)."""
    escaped = str(conditional_escape(value))
    return mark_safe(_URL.sub(lambda m: f'<a href="{m.group(0)}" rel="nofollow">{m.group(0)}</a>', escaped))  # noqa: S308 -- escaped above; the address is escaped text
