"""The log viewer's line markup: response codes and error words highlighted, everything else escaped."""

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


@register.filter
def get_item(mapping, key):
    """`titles|get_item:slug`: a value of a dict the view built, "" when it has none."""
    return mapping.get(key, "") if isinstance(mapping, dict) else ""
