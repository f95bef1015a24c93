"""A `{# … #}` comment ends on its line: one spread over two lines is shown to the reader as text (the
tracking page once printed its reply form's comment above the form)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_template_has_a_comment_that_a_reader_would_see():
    shown = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)[:40]!r}"
        for path in TEMPLATES.rglob("*.html")
        for match in re.finditer(r"\{#.*?#\}", path.read_text(encoding="utf-8"), re.S)
        if "\n" in match.group(0)
    ]
    assert shown == []
