#!/usr/bin/env python
"""Write kb/search/pinyin_readings.txt: the toneless pinyin readings of every character of GB2312 (the 6,763
characters a Chinese input method offers first) and of the knowledge base, the most common first ("重 zhong chong").

Search reads it to hear a word typed with the wrong character of the same sound (前到 for 签到, 冲证 for 冲正) and
to mark the Chinese a pinyin query spells, without loading pypinyin's dictionaries (about 50 MB) into every web
process. Run it again after pypinyin is upgraded or the knowledge base uses a new character:
`.venv/bin/python bin/char_sounds.py` (tests/kb/test_search_sounds.py says when).
"""

import re
from pathlib import Path

from pypinyin import Style, pinyin

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "kb" / "search" / "pinyin_readings.txt"


def characters() -> set[str]:
    found = set()
    for first in range(0xB0, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                found.add(bytes([first, second]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for path in (ROOT / "kb" / "content").rglob("*"):
        if path.is_file() and path.suffix in {".md", ".yaml", ".txt"}:
            found.update(re.findall(r"[\u4e00-\u9fff]", path.read_text(encoding="utf-8")))
    return {ch for ch in found if "\u4e00" <= ch <= "\u9fff"}


HEADER = """\
# Toneless pinyin readings of the GB2312 characters and the knowledge base's (bin/char_sounds.py writes it from
# pypinyin; tests/kb/test_search_snippets.py keeps it in step). Search reads this small table, so a web process
# never loads pypinyin's dictionaries (about 50 MB). One character a line, then its readings, the most common first.
"""


def main() -> None:
    lines = []
    for ch in sorted(characters()):
        found = [r for r in dict.fromkeys(pinyin(ch, style=Style.NORMAL, heteronym=True)[0]) if r.isalpha()]
        if found:
            lines.append(f"{ch} {' '.join(found)}")
    TARGET.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} characters → {TARGET}")


if __name__ == "__main__":
    main()
