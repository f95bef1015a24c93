"""Words typed with the wrong character of the same sound: a pinyin input method offers 前到 for qiandao as readily
as 签到, and voice input does the same. A stretch of the query that is no word, but sounds like a word the index
has (冲证 → 冲正, 接算 → 结算, 于额 → 余额), is read as that word.

Sounds come from kb/search/pinyin_readings.txt (bin/char_sounds.py), so no web process loads pypinyin's
dictionaries (about 50 MB).
"""

import re

from kb.search.models import SearchTerm
from kb.search.pipeline import cut, knows_word
from kb.search.readings import sound
from kb.search.version import current as index_version

LONGEST = 4  # characters in the longest stretch heard as one word
_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")

_state: dict = {}


def _heard() -> tuple[frozenset[str], dict[str, str]]:
    """The index's Chinese words, and per sound the word of it most pages hold; kept per process until the
    index changes (one query), none kept while the shared cache is down."""
    version = index_version()[0]
    kept = _state.get("heard")
    if version is None or kept is None or kept[0] != version:
        words: dict[str, str] = {}
        best: dict[str, int] = {}
        terms = SearchTerm.objects.filter(entries__gt=0, term__regex=r"^[一-鿿]{2,4}$").values_list("term", "entries")
        known = set()
        for term, entries in terms:
            known.add(term)
            if (heard := sound(term)) and entries > best.get(heard, 0):
                words[heard], best[heard] = term, entries
        kept = (version, frozenset(known), words)
        if version is not None:
            _state["heard"] = kept
    return kept[1], kept[2]


# Characters an input method offers first for their sound: typed on purpose, never a wrong pick ("是白的" is "is
# white", not 失败; "没余额" is "no balance", not 每月).
PARTICLES = frozenset("是的了没不就也都在有和我你他她它很还又吗呢吧啊呀")


def _misheard(pieces: list[str]) -> bool:
    """Whether a stretch can be a word typed with a wrong character: lone characters only (a wrong one leaves the
    segmenter no word to make of it: 前/到, 冲/证), none of them a particle."""
    return all(len(piece) == 1 and piece not in PARTICLES for piece in pieces)


def corrected(normalized: str) -> tuple[str, dict[str, str]]:
    """The text with each stretch that is no word but sounds like one the index has replaced by that word; and
    what was replaced by what. A stretch is whole pieces of the segmenter's cut (_misheard), longest first."""
    if not _RUN.search(normalized):
        return normalized, {}
    known, words = _heard()
    changes: dict[str, str] = {}

    def fix(run: str) -> str:
        pieces, out, at = cut(run, guess=False), "", 0
        while at < len(pieces):
            for end in range(len(pieces), at + 1, -1):
                stretch = "".join(pieces[at:end])
                if len(stretch) > LONGEST or not _misheard(pieces[at:end]):
                    continue
                if stretch in known or knows_word(stretch):
                    continue
                if (word := words.get(sound(stretch))) and word != stretch:
                    out, at = out + word, end
                    changes[stretch] = word
                    break
            else:
                out, at = out + pieces[at], at + 1
        return out

    return _RUN.sub(lambda match: fix(match.group()), normalized), changes
