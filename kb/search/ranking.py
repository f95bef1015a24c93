"""Ranking the backend's candidates: what each candidate holds, how far it covers what was typed, and the
re-rank that orders them (`rerank`); `match_shares` says how much of the query a page answers."""

import math
import re
from collections.abc import Set as AbstractSet
from functools import lru_cache
from itertools import pairwise

from django.db.models import Q
from django.utils import timezone

from kb.search import readings
from kb.search.models import TOKEN_FIELDS, SearchEntry
from kb.search.pipeline import (
    STOP_WORDS,
    ParsedQuery,
    has_cjk,
    is_brand,
    screen_text,
    segment,
    stem,
    without_filler,
)
from kb.search.planning import entry_count
from kb.search.version import current as index_version

_MIXED = re.compile(r"[a-z][\u4e00-\u9fff]|[\u4e00-\u9fff][a-z]")  # letters touching Chinese ("qiandao失败")
ENGLISH_NEGATIONS = frozenset({"not", "no", "never", "cannot"})
RERANK_COVERAGE = 0.5
RERANK_EXACT = 0.8
# What the title says a page is about weighs beyond the other strong fields: "sign on keeps failing" is
# answered by the page titled "sign-on itself fails", not by one titled "sign-in vs sign-on" whose symptom
# lines also mention failing.
RERANK_TITLE = 0.3
BODY_CREDIT = 0.5
SYNONYM_CREDIT = 0.75  # a word covered only through a synonym counts for less than the word itself

_CANDIDATE_FIELDS = (
    "pk", "kind", "key", "language", "url", "title", "summary", "codes",
    "title_tokens", "symptoms_tokens", "codes_tokens", "tags_tokens", "pinyin_tokens", "phrases", "body_tokens",
)  # fmt: skip


def candidates(ids) -> dict[int, dict]:
    """What re-ranking and display need of each candidate, in one query (the text only for the winners).

    Pages scheduled for later are left out here, so no result list, suggestion or fallback shows them
    before their time, and nothing has to run when the time comes.
    """
    due = Q(visible_from__isnull=True) | Q(visible_from__lte=timezone.now())
    entries = SearchEntry.objects.filter(due, pk__in=list(ids))
    return {row["pk"]: row for row in entries.values(*_CANDIDATE_FIELDS)}


@lru_cache(maxsize=4096)
def _line_words(line: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """A line's words that say something, and all its words in order (stemmed)."""
    every = tuple(stem(w) for w in line.split())
    return frozenset(stem(w) for w in line.split() if w not in STOP_WORDS), every


def _said(line: tuple[str, ...], typed: list[str]) -> bool:
    """Whether what was typed has every word of the line, in any order ("after settlement … not signed on" says
    "not signed on after settlement"), each negation with the word it negates: "sign on not working" does
    not say "not signed on"."""
    if not set(line) <= set(typed):
        return False
    negated = {(a, b) for a, b in pairwise(line) if a in ENGLISH_NEGATIONS}
    return negated <= _negated_pairs(typed)


# Words between a negation and the verb it negates that leave the meaning: "cannot get the terminal to sign on"
# says "cannot sign on"; "not working" after "sign on" still negates nothing before it.
_NEGATION_GAP = STOP_WORDS | {"get", "got", "make", "it", "terminal", "machine", "pos", "device", "able", "even"}


def _negated_pairs(words: list[str]) -> set[tuple[str, str]]:
    """Each negation with the word it negates: the next one, or the first after light words ("get it to")."""
    pairs = set()
    for i, word in enumerate(words[:-1]):
        if word in ENGLISH_NEGATIONS:
            pairs.add((word, words[i + 1]))
            after = next((w for w in words[i + 1 :] if w not in _NEGATION_GAP), None)
            if after is not None:
                pairs.add((word, after))
    return pairs


def _exact(query: ParsedQuery, whole: str, lines: list[str], *, screen: str = "") -> float:
    """How far the query is one of the page's lines (_as_line), or the screen text it quotes is ("早上开机就提示
    请重新签到"); otherwise, when the query contains a whole line (as text, or every word of it: "how to sign on"
    is not in "unable to sign on"), the share of the query (filler left out) that line covers."""
    if len(whole) < 2:
        return 0.0
    compacted = [line.replace(" ", "") for line in lines]
    if found := max(_as_line(whole, compacted), _as_quoted(screen, compacted) if len(screen) >= 2 else 0.0):
        return found
    typed = query.corrected or query.normalized
    words = [stem(word) for word in typed.split()]
    content = len(_compact(without_filler(typed))) or len(whole)
    inside = 0.0
    for line, compacted_line in zip(lines, compacted, strict=True):
        # Two letters are no line ("pa"); two Chinese characters are a word ("死机").
        if len(compacted_line) < (2 if has_cjk(compacted_line) else 3):
            continue
        if compacted_line in whole:
            inside = max(inside, len(compacted_line) / content)
        elif " " in line and len((lw := _line_words(line))[0]) >= 2 and _said(lw[1], words):
            inside = max(inside, len("".join(lw[0])) / content)
    return 0.6 * min(inside, 1.0)


def _as_quoted(screen: str, compacted: list[str]) -> float:
    """_as_line for the text quoted off the screen; or, when it runs on past a line ("请先冲正刷不了卡"), 0.6 to
    0.8 by the share of it that line is."""
    starting = [len(line) for line in compacted[1:] if len(line) >= 3 and screen.startswith(line)]
    return max(_as_line(screen, compacted), 0.6 + 0.2 * max(starting) / len(screen) if starting else 0.0)


def _as_line(text: str, compacted: list[str]) -> float:
    """1 when `text` is the title, 0.9 one of the other lines (a symptom or tag the editors wrote: "签到" is
    re-sign-in-prompt's tag); inside the title or a line, 0.6 to 0.9 by the share of it `text` is ("签到" is in
    many titles, and most of "刷卡提示请重新签到怎么办")."""
    if text == compacted[0]:
        return 1.0
    if text in compacted[1:]:
        return 0.9
    if text in compacted[0]:
        return 0.7 + 0.2 * len(text) / len(compacted[0])
    holding = [line for line in compacted[1:] if text in line]
    return 0.6 + 0.2 * len(text) / min(map(len, holding)) if holding else 0.0


def typed_units(query: ParsedQuery) -> list[tuple[str, ...]]:
    """The words the merchant typed that say what the problem is (not brands or model numbers), each whole
    word with its parts. Pinyin typed with spaces that the index knows joined ("qian dao") is one word."""
    joined = "".join(query.normalized.split())
    if query.is_ascii_letters and len(query.units) > 1 and query.counts.get(joined):
        return [(joined,)]
    return [unit for unit in query.units if unit[0] not in query.ignored]


def unit_covered(query: ParsedQuery, tokens: set[str], unit: tuple[str, ...], *, pinyin=frozenset()) -> float:
    return max(covers(query, tokens, word, pinyin=pinyin) for word in unit)


def covers(query: ParsedQuery, tokens: set[str], word: str, *, pinyin: AbstractSet[str] = frozenset()) -> float:
    """How far a page's tokens cover one typed word: 1 for the word itself, its typo correction or (for
    letters: "qiandao" in "pos机qiandao") its pinyin; SYNONYM_CREDIT for a synonym standing for it."""
    corrected = query.corrections.get(word, "")
    if (word in tokens and word not in query.negated) or corrected in tokens:
        return 1.0
    if " " in corrected and all(part in tokens or part in STOP_WORDS for part in corrected.split()):
        return 1.0  # glued words ("macerror"): every one of them
    if pinyin and word.isascii() and word.isalpha() and (word in pinyin or query.corrections.get(word) in pinyin):
        return 1.0
    if any(all(token in tokens for token in clause) for clause in query.synonyms_of(word)):
        return SYNONYM_CREDIT
    return 0.0


def rerank(query: ParsedQuery, matches: list[tuple[int, float]], rows: dict[int, dict]) -> list[tuple[int, float]]:
    """Re-rank the backend's best candidates with signals full text cannot see, the same on both databases:

    - the query is the title, or one of the symptom lines, or contains one ("请重新签到" in a long
      description): merchants type what the screen says, and editors list exactly that;
    - the share of the query's own words (not synonyms) found in the title, symptoms, codes and tags,
      each word weighted by how rare it is among the candidates, so the words the merchant typed count
      more than the alternatives added for them.
    The backend's score, scaled to 0-1 among the candidates, still orders everything else.
    """
    if len(matches) < 2:
        return matches
    signals = rerank_signals(query, rows)
    top = max(score for _pk, score in matches) or 1.0
    rescored = []
    for pk, score in matches:
        coverage, title_coverage, exact = signals.get(pk, (0.0, 0.0, 0.0))
        bonus = RERANK_COVERAGE * coverage + RERANK_TITLE * title_coverage + RERANK_EXACT * exact
        rescored.append((pk, max(score, 0.0) / top + bonus))
    return sorted(rescored, key=lambda item: -item[1])


def rerank_signals(query: ParsedQuery, rows: dict[int, dict]) -> dict[int, tuple[float, float, float]]:
    """Per candidate: the weighted share of the typed words its strong fields cover, the same by its title
    alone, and how far the query is one of its lines (_exact)."""
    words = typed_units(query)
    covered: dict[int, dict] = {}  # how far each candidate covers each typed word
    titled: dict[int, dict] = {}  # the same, by the title alone
    for pk, row in rows.items():
        title = set(row["title_tokens"].split())
        strong = {*title, *row["symptoms_tokens"].split()}
        strong.update(row["codes_tokens"].split(), row["tags_tokens"].split())
        pinyin = set(row["pinyin_tokens"].split())
        body = set(row["body_tokens"].split())
        covered[pk] = {
            w: unit_covered(query, strong, w, pinyin=pinyin) or BODY_CREDIT * unit_covered(query, body, w)
            for w in words
        }
        titled[pk] = {w: unit_covered(query, title, w) for w in words}
    # A word most candidates share ("sign", "签到") says less than a rare one ("settlement", "日切").
    # A word no candidate holds ("tried", "5" in "tried signing on 5 times") tells none of them apart: it
    # would only shrink every share, and leave the backend's score to decide alone.
    words = [w for w in words if any(c[w] for c in covered.values())]
    coverage = _weighed(words, covered)
    # Weighed by how rare each word is among the candidates' titles: "fail" in few, "sign" in most.
    title_coverage = _weighed(words, titled)
    whole = (query.corrected or query.normalized).replace(" ", "")  # already normalized
    screen = _compact(screen_text(query.normalized))
    # What was typed but for filler and the terminal's name ("pos机死机了" is "死机"), and the other terms of a
    # synonym group when that is one of its terms ("机器罢工" is "死机", a line of the hardware page).
    core = _core(query)
    others = _said_otherwise(query, core) if len(core) >= 2 else []
    # English without filler is no line of its own ("sign on will not go through"): only its synonyms are.
    core = core if has_cjk(whole) else ""
    # Chinese with pinyin in it ("qiandao失败") spelled all in pinyin, as the pages' Chinese lines are too.
    spelled = [s for text in {whole, core, screen} if _MIXED.search(text) for s in readings.spoken(text)]
    signals = {}
    for pk, row in rows.items():
        lines = (row.get("phrases") or "").split("\n")
        exact = _exact(query, whole, lines, screen=screen)
        if (core != whole or others or spelled) and exact < 0.9:
            compacted = [line.replace(" ", "") for line in lines]
            exact = max(exact, _as_line(core, compacted) if len(core) >= 2 else 0.0)
            exact = max(exact, max((_as_line(text, compacted) for text in spelled), default=0.0))
            exact = max(exact, SYNONYM_CREDIT * max((_as_line(other, compacted) for other in others), default=0.0))
        signals[pk] = (coverage[pk], title_coverage[pk], exact)
        query.as_line[pk] = exact
    return signals


def _core(query: ParsedQuery) -> str:
    """What was typed without filler and the terminal's name, negations kept ("pos机签到老是不成功" → "签到不成功")."""
    core = _compact(without_filler(query.corrected or query.normalized))
    for word in sorted(query.ignored, key=len, reverse=True):
        core = core.replace(word, "")
    return core


def _said_otherwise(query: ParsedQuery, core: str) -> list[str]:
    """The terms of each synonym group the query is all of ("sign on won't go through" is "sign on failed"), but
    the ones typed."""
    return [
        other
        for terms, found in query.groups_said
        if _tiles(core, found)
        for other in map(_compact, terms)
        if other and other not in core
    ]


def _tiles(core: str, found: set[str]) -> bool:
    """Whether the terms typed for a synonym group are all of `core`: one of them ("罢工"), or the parts of a
    combination together ("签到" and "不行")."""
    terms = {_compact(without_filler(term)) or _compact(term) for term in found}
    return core in terms or (sum(map(len, terms)) == len(core) and all(term in core for term in terms))


def _weighed(words: list[tuple[str, ...]], found: dict[int, dict]) -> dict[int, float]:
    """Per candidate, the share of `words` it covers, each weighted by how rare it is among the candidates."""
    pool = len(found)
    weight = {w: math.log((pool + 1) / (0.5 + sum(f[w] for f in found.values()))) for w in words}
    total = sum(weight.values())
    if total <= 0:
        return dict.fromkeys(found, 0.0)
    return {pk: sum(weight[w] * f.get(w, 0.0) for w in weight) / total for pk, f in found.items()}


def unit_weights(query: ParsedQuery, units: list[tuple[str, ...]]) -> dict[tuple[str, ...], float]:
    """Each typed word (with its parts) weighted by how rare it is in the whole index: a word no page has
    weighs most, unless a synonym standing for it is indexed ("客人" is said 顾客 in the pages)."""
    entries = entry_count()

    def indexed(unit: tuple[str, ...]) -> int:
        counts = [query.counts.get(word, 0) for word in unit]
        counts += [min(query.counts.get(t, 0) for t in tokens) for word in unit for tokens in query.synonyms_of(word)]
        return max(counts)

    return {unit: math.log((entries + 1) / (0.5 + indexed(unit))) for unit in units}


def match_share(query: ParsedQuery, pk: int) -> float:
    return match_shares(query, [pk]).get(pk, 0.0)


def match_shares(query: ParsedQuery, pks: list[int]) -> dict[int, float]:
    """How much of what was typed each page covers, in any field: each typed word weighted by how rare
    it is in the whole index, so a word no page has ("发票", "bitcoin") weighs most. Below EXACT_SHARE for
    the best page the results are only the closest pages, and say so."""
    units = typed_units(query)
    if not units or not pks:
        return {}
    weight = unit_weights(query, units)
    total = sum(weight.values())
    last = query.words[-1] if query.words else ""
    shares = {}
    for row in SearchEntry.objects.filter(pk__in=pks).values("pk", *TOKEN_FIELDS):
        pk = row.pop("pk")
        body = set(row.pop("body_tokens", "").split())
        tokens = set(" ".join(row.values()).split())
        share = 0.0
        for unit in units:
            # A word only the body has is mentioned there; the page is not about it.
            found = unit_covered(query, tokens, unit, pinyin=tokens) or BODY_CREDIT * unit_covered(query, body, unit)
            if not found and last in unit and query.prefix and any(t.startswith(last) for t in tokens):
                found = 1.0  # as-you-type: the last word may be unfinished
            share += weight[unit] * found
        shares[pk] = share / total
    return shares


# --- The code whose screen text the query is --------------------------------------------------------

OWNED_SHARE = 0.5  # how much of what was typed (filler, brands and the terminal left out) a screen text must be
MEANT_NEAR = 3  # a code named in other words is meant when its page is among this many of the ranking's first


def owning_code(
    query: ParsedQuery, ranked: list[tuple[int, float]], rows: dict[int, dict], language: str
) -> int | None:
    """The code page whose name or screen text the query is ("终端未登记", "MAC error", "刷卡显示商户未登记"),
    or whose name it says in other words ("卡里钱不够" for 余额不足): the code's own page answers it more
    exactly than the articles that mention the text in passing. A text several codes share ("请重新签到")
    names none of them; of two texts in the query the longest wins ("交易超时，请重试" is 98's, not 30's
    "请重试")."""
    text = query.corrected or query.normalized
    core = without_filler(text)
    typed = {_compact(text), _compact(core)}
    screen = _compact(screen_text(query.normalized))
    weighed = len(_compact(" ".join(w for w in core.split() if not is_brand(w)))) or len(_compact(core))
    owners, names = _code_lines(language)
    said = [line for line in owners if any(line in t for t in typed) and len(line) >= OWNED_SHARE * weighed]
    said += [screen] if screen in owners else []  # the text it quotes from the screen ("…显示余额不足")
    # or the text and the merchant's question after it ("显示余额不足是不是机器坏了"): the longest line it starts with
    said += [max((line for line in owners if len(line) >= 3 and screen.startswith(line)), key=len, default="")]
    said += _spelled_lines(typed | {screen}, owners)
    said += _meant(query, names, ranked, rows)
    said = [line for line in said if len(line) >= 2 and line in owners]
    if not said:
        return None
    longest = max(said, key=len)
    unique = [line for line in said if len(owners[line]) == 1]
    if unique and len(max(unique, key=len)) >= len(longest):
        return next(iter(owners[max(unique, key=len)]))
    return None


def _spelled_lines(texts: set[str], owners: dict[str, set[int]]) -> list[str]:
    """The code lines that a text of Chinese mixed with pinyin is, spelled in pinyin ("余额buzu" is 余额不足)."""
    spelled = {s for text in texts if _MIXED.search(text) for s in readings.spoken(text)}
    return [line for line in owners if spelled & set(_spellings(line))] if spelled else []


@lru_cache(maxsize=4096)
def _spellings(line: str) -> tuple[str, ...]:
    return tuple(readings.spoken(line)) if has_cjk(line) else ()


def _compact(text: str) -> str:
    return text.replace(" ", "")


_code_lines_kept: dict[str, tuple[str | None, tuple[dict[str, set[int]], dict[str, set[int]]]]] = {}


def _code_lines(language: str) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """Every code page's lines (names and screen texts, compacted) with the entries that have each; and
    the same for the names alone. Kept per process until the index changes (one cache read, no query)."""
    version = index_version()[0]
    kept = _code_lines_kept.get(language)
    if version is None or kept is None or kept[0] != version:
        # Without a version (the shared cache is down) nothing is kept: a stale copy could never be told.
        kept = (version, _read_code_lines(language))
        if version is not None:
            _code_lines_kept[language] = kept
    return kept[1]


def _read_code_lines(language: str) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    owners: dict[str, set[int]] = {}
    names: dict[str, set[int]] = {}
    codes = SearchEntry.objects.filter(kind=SearchEntry.Kind.CODE, language=language).values_list("pk", "phrases")
    for pk, phrases in codes:
        for i, line in enumerate(filter(None, (phrases or "").split("\n"))):
            owners.setdefault(_compact(line), set()).add(pk)
            if i < 2:  # the name in this language, then in the other (documents.code_document)
                names.setdefault(_compact(line), set()).add(pk)
    return owners, names


def _meant(query: ParsedQuery, names: dict[str, set[int]], ranked, rows) -> list[str]:
    """Code names that a synonym of most of the query is ("钱不够" in "卡里钱不够" stands for 余额不足), unless
    an article's title or symptom says what was typed ("密钥不同步" is in the keys article's title)."""
    meant = []
    for clause, found in query.said.items():
        typed = max(found, key=len, default="")
        lines = [line for line in names if _line_tokens(line) == clause.tokens]
        if not lines or _article_says(_compact(typed), ranked, rows):
            continue
        # Most of the query, or its rarest word; or the page of the code so named is already among the first
        # (MEANT_NEAR) ("顾客的卡没余额了刷不过去": the merchant's words around 没余额 are everywhere).
        near = {pk for pk, _score in ranked[:MEANT_NEAR]}
        leads = any(near & names[line] for line in lines)
        if leads or _says_most(query, typed):
            meant += lines
    return meant


def _says_most(query: ParsedQuery, said: str) -> bool:
    """Whether `said` is what the query is about: at least OWNED_SHARE of what was typed, each word weighted by
    its rarity in the index, or its rarest word ("钱" in "客人卡上没钱了", where 客人 and 卡 are everywhere)."""
    # A word no page has, itself or through a synonym ("阿姨" in "阿姨的卡没钱了"), says nothing of which page
    # is meant: it would only be the rarest.
    units = [u for u in typed_units(query) if any(query.counts.get(w) or query.synonyms_of(w) for w in u)]
    weight = unit_weights(query, units)
    total = sum(weight.values())
    if total <= 0:
        return False
    words = set(segment(said))
    share = sum(w for unit, w in weight.items() if words & set(unit)) / total
    rarest = max(weight, key=weight.__getitem__)
    return share >= OWNED_SHARE or bool(words & set(rarest))


@lru_cache(maxsize=4096)
def _line_tokens(line: str) -> tuple[str, ...]:
    return tuple(segment(line, fine=False))


def _article_says(typed: str, ranked: list[tuple[int, float]], rows: dict[int, dict]) -> bool:
    for pk, _score in ranked:
        row = rows.get(pk) or {}
        if row.get("kind") == "article" and any(typed in _compact(line) for line in row["phrases"].split("\n")):
            return True
    return False
