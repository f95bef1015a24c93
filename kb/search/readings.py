"""How Chinese characters are read: the toneless pinyin of each, from kb/search/pinyin_readings.txt (written by
bin/char_sounds.py from pypinyin), so that no web process loads pypinyin's dictionaries (about 50 MB). Search uses
it to hear homophones (sounds.py), to spell synonyms in pinyin (synonym_groups.py) and to mark what a pinyin query
spells (snippets.py)."""

from functools import lru_cache
from pathlib import Path

READINGS = Path(__file__).with_name("pinyin_readings.txt")


@lru_cache(maxsize=1)
def readings() -> dict[str, tuple[str, ...]]:
    """Every character's toneless pinyin readings, the most common first (pinyin_readings.txt)."""
    lines = READINGS.read_text(encoding="utf-8").splitlines()
    return {line[0]: tuple(line[2:].split()) for line in lines if line and not line.startswith("#")}


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    return frozenset(reading for found in readings().values() for reading in found)


def sound(text: str) -> str:
    """The toneless pinyin of Chinese text, each character's most common reading, joined ("签到" → "qiandao");
    "" when a character is unknown."""
    table = readings()
    heard = [table[ch][0] if table.get(ch) else "" for ch in text]
    return "" if not all(heard) else "".join(heard)


def spoken(text: str, *, limit: int = 16) -> list[str]:
    """Chinese mixed with pinyin ("qiandao失败", "余额buzu", "yu额不足") spelled all in pinyin, with each reading of a
    character that has several ("重新qiandao": "chongxinqiandao" and "zhongxinqiandao"), at most `limit`; [] when
    a character is unknown or the text holds anything but Chinese and letters (a digit has no pinyin)."""
    table = readings()
    spelled = [""]
    for ch in text.replace(" ", ""):
        if "a" <= ch <= "z":
            spelled = [s + ch for s in spelled]
        elif found := table.get(ch):
            spelled = [s + r for s in spelled for r in found][:limit]
        else:
            return []
    return spelled
