"""The log viewer's line markup (response codes and error words highlighted) and the text read in a photo
(its codes linked to their pages the same way); everything else escaped."""

import re

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from tickets.logs import CODE_NEAR, ERROR_WORDS

register = template.Library()


@register.simple_tag
def log_line(line) -> str:
    """Escape the line, then wrap what CODE_NEAR and ERROR_WORDS found in <mark>; nothing from the log is
    ever markup (the spans are computed on the raw text, each piece escaped on its own)."""
    text = line.text
    spans = [(m.start(), m.end(), "code", m.group(1).upper()) for m in CODE_NEAR.finditer(text)]
    spans += [(m.start(), m.end(), "error", "") for m in ERROR_WORDS.finditer(text)]
    spans.sort()
    out, at = [], 0
    for start, end, kind, code in spans:
        if start < at:
            continue
        out.append(escape(text[at:start]))
        mark = format_html('<mark class="log-{}">{}</mark>', kind, text[start:end])
        if code in line.codes:
            # A known code is its own link to the code's page: shown once, where the log has it.
            mark = format_html('<a class="log-code-link" href="{}">{}</a>', reverse("kb:code", args=[code]), mark)
        out.append(mark)
        at = end
    out.append(escape(text[at:]))
    return mark_safe("".join(str(part) for part in out))  # noqa: S308 (every piece above is escaped)


# Where a photo's text names a code: after a word that introduces one (the log viewer's CODE_NEAR, and the
# "RESP:51" / "错误码 51" of receipts), or, for a code with a letter, the code standing alone ("A0", or "AO"
# as the reader often sees it). A bare number is never linked by itself: on a receipt it is a time or amount.
_PHOTO_PREFIX = re.compile(r"(?:\bRESP\b|错误码|错误代码|返回代码|代码)\s*+[:=：]?+\s*+([0-9A-Z]{2})\b", re.IGNORECASE)


def _standalone(code: str) -> re.Pattern[str]:
    spellings = {code, code.replace("0", "O")}
    return re.compile(r"(?<![0-9A-Za-z])(" + "|".join(map(re.escape, sorted(spellings))) + r")(?![0-9A-Za-z])")


def _photo_code_spans(text: str, codes: list[str]) -> list[tuple[int, int, str]]:
    spans = [
        (m.start(1), m.end(1), m.group(1).upper())
        for pattern in (CODE_NEAR, _PHOTO_PREFIX)
        for m in pattern.finditer(text)
        if m.group(1).upper() in codes
    ]
    for code in codes:
        if not code.isdigit():
            spans += [(m.start(), m.end(), code) for m in _standalone(code).finditer(text)]
    return sorted(set(spans))


@register.simple_tag
def photo_text(attachment) -> str:
    """The masked text read in a photo, each code the reading named linked to its page where the text has it;
    nothing read is ever markup (each piece escaped on its own)."""
    text, codes = attachment.photo_text, attachment.photo_codes.split()
    out, at = [], 0
    for start, end, code in _photo_code_spans(text, codes):
        if start < at:
            continue
        out.append(escape(text[at:start]))
        out.append(
            format_html('<a class="log-code-link" href="{}">{}</a>', reverse("kb:code", args=[code]), text[start:end])
        )
        at = end
    out.append(escape(text[at:]))
    return mark_safe("".join(str(part) for part in out))  # noqa: S308 (every piece above is escaped)


@register.filter
def get_item(mapping, key):
    """`titles|get_item:slug`: a value of a dict the view built, "" when it has none."""
    return mapping.get(key, "") if isinstance(mapping, dict) else ""
