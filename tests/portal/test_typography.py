"""Chinese text uses full-width punctuation (，：；！？（）。), not the ASCII marks beside Chinese characters."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ["locale", "kb/locale", "tickets/locale"]
CJK = r"[\u3400-\u9fff]"
# An ASCII mark touching a Chinese character (spaces aside), or an ASCII full stop right after one.
HALF_WIDTH = re.compile(rf"{CJK}\s*[,:;!?()]|[,:;!?()]\s*{CJK}|{CJK}\.(?!\w)")


def _translations(po: Path) -> list[str]:
    entries, current, in_msgstr = [], [], False
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgstr"):
            in_msgstr, current = True, [line.partition(" ")[2]]
        elif in_msgstr and line.startswith('"'):
            current.append(line)
        else:
            if in_msgstr:
                entries.append("".join(part.strip()[1:-1] for part in current))
            in_msgstr = False
    if in_msgstr:
        entries.append("".join(part.strip()[1:-1] for part in current))
    return [entry for entry in entries if re.search(CJK, entry)]


@pytest.mark.parametrize("catalog", CATALOGS)
def test_chinese_translations_use_full_width_punctuation(catalog):
    texts = _translations(ROOT / catalog / "zh_Hans/LC_MESSAGES/django.po")
    # Placeholders such as %(count)d and (MID) acronyms in brackets are not Chinese text.
    offending = [text for text in texts if HALF_WIDTH.search(re.sub(r"%\(\w+\)[sd]", "X", text))]
    assert offending == []
