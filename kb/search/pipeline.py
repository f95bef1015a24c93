"""The text pipeline shared by indexing and querying.

normalize (NFKC: full-width to half-width) → Traditional-to-Simplified → lowercase → segment (rjieba with
the domain dictionary) → stem/stop-word filter; queries then add synonyms, pinyin and typo alternatives.
Indexing and querying must run the same steps, or a word indexed one way is looked up another way.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

from kb.search import segmenter

if TYPE_CHECKING:
    from kb.search.synonym_groups import Synonyms

# Words too common to tell articles apart; removing them on both sides keeps OR queries sharp.
STOP_WORDS = frozenset(
    """
    的 了 吗 呢 吧 啊 呀 哦 嘛 是 我 我们 我的 你 你们 他 她 它 在 和 与 及 或 就 都 也 还 又 很 太 后 之后 前
    怎么 怎么办 怎么回事 怎样 如何 为什么 为何 什么 一直 总是 老是 一下 一个 这个 那个 这 那 有 没 会 要 能 可以 给
    请 请问 提示 显示 出现 说 了吗 时候 的话 今天 现在 突然 好像 一样
    咋 咋办 咋回事 回事 啥 是啥 啥意思 意思 什么意思 个 跳出 弹出 出来 报 机器 机子
    但 但是 可是 然后 就是 还是 已经 只有 只 每次 每天 早上 晚上 刚才 刚刚 一张 一次 一笔 自己 别人 结果 却
    a an the is are was were be been am to of in and or my me i we you your our it its this that these those there
    what how why when do does did can could would should will with for at by from as so if then
    please help hi hello every morning evening today yesterday always just still also very really now keep
    pls plz msg 不 死活 although though
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

_SPACE = re.compile(r"\s+")
# Cantonese written as spoken (Hong Kong, Guangdong: "卡冇钱刷唔到") in the Mandarin words the pages use.
_CANTONESE = str.maketrans(
    {"冇": "没", "唔": "不", "咗": "了", "嘅": "的", "喺": "在", "睇": "看", "嘢": "东西", "咩": "什么"}
)
_TONE_MARKS = re.compile("[\u0300-\u036f]")  # combining accents: pinyin's tone marks, é, ü
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ASCII_WORD = re.compile(r"^[a-z0-9]+$")
_RUNS = re.compile(r"[a-z0-9]+|[^a-z0-9]+")

_lock = threading.Lock()
_state: dict = {}


def _converter():
    # OpenCC loads its dictionaries once per process (tens of milliseconds).
    if "opencc" not in _state:
        with _lock:
            if "opencc" not in _state:
                import opencc

                _state["opencc"] = opencc.OpenCC("t2s")
    return _state["opencc"]


def _segmenter():
    if "jieba" not in _state:
        with _lock:
            if "jieba" not in _state:
                _state["jieba"] = segmenter.build()
    return _state["jieba"]


# English negations, with or without the apostrophe merchants skip when texting ("cant", "wont"): "can't"
# would otherwise leave a stray "t", and "cant" would be corrected to "want".
_NEGATION = re.compile(
    r"(?<![a-z])(can|won|don|doesn|didn|isn|aren|wasn|weren|couldn|shouldn|wouldn|haven|hasn)(?:['’]?t|not)(?![a-z])"
)
_NEGATED = {"can": "can", "won": "will"}  # the others lose their "n": "doesn't" is "does not"
_POSSESSIVE = re.compile(r"(?<=[a-z])['’]s(?![a-z])")


# "every single morning" is "every morning": "single" would be the rarest word, and the page about single-length
# keys (单倍长) the answer.
_EVERY_SINGLE = re.compile(r"(?<![a-z])every single(?![a-z])")


def _english_contractions(text: str) -> str:
    text = _NEGATION.sub(lambda m: _NEGATED.get(m.group(1), m.group(1)[:-1]) + " not", text)
    return _EVERY_SINGLE.sub("every", _POSSESSIVE.sub("", text))


def normalize(text: str) -> str:
    """Full-width to half-width, Traditional to Simplified, lowercase, English negations spelled out,
    punctuation to single spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    if not text.isascii():
        # Pinyin typed with its tones ("chōng zhèng") reads as without them, as the index spells it.
        text = unicodedata.normalize("NFC", _TONE_MARKS.sub("", unicodedata.normalize("NFD", text)))
    if _CJK.search(text):
        text = _converter().convert(text).translate(_CANTONESE)
    text = _english_contractions(text.lower())
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    return _SPACE.sub(" ", text).strip()


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def stem(token: str) -> str:
    """A deliberately tiny English stemmer: plurals and -ing/-ed, so "receipts" finds "receipt".

    Applied to every ASCII token on both sides (pinyin included), so it only has to be consistent.
    """
    if not _ASCII_WORD.match(token) or len(token) < 4 or token[-1].isdigit():
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith("ing") and len(token) > 5:
        return token[:-3]
    if token.endswith("ed") and len(token) > 4 and not token.endswith("eed"):
        return token[:-2]
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def _pieces(token: str) -> list[str]:
    """A token mixing letters and Chinese ("pos机", "mac校验错") also yields its parts, so "pos" matches it."""
    runs = _RUNS.findall(token)
    if len(runs) < 2:
        return [token]
    return [token] + [run for run in runs if _ASCII_WORD.match(run) or len(run) >= 2]


def _keep(token: str) -> bool:
    return bool(token.strip()) and token not in STOP_WORDS and token not in PINYIN_STOP_WORDS


# The Chinese stop words of two characters or more typed as pinyin ("tishi" for 提示, "zenmeban"): filler
# in a pinyin or mixed query as much as in Chinese. Single syllables ("de", "ma") are left out: they are
# English words too, and never indexed alone. Written out rather than computed so a web process that only
# answers queries never loads pypinyin's dictionaries (about 100 MB); a test keeps it in step.
PINYIN_STOP_WORDS = frozenset(
    """
    bieren chulai chuxian danchu danshi dehua gangcai ganggang haishi haoxiang huishi jieguo jintian
    jiqi jiushi jizi keshi keyi laoshi lema meici meitian nage nimen qingwen ranhou ruhe shayisi shenme
    shenmeyisi shihou shisha sihuo tiaochu tishi turan wanshang weihe weishenme wode women xianshi xianzai yibi yici
    yige yijing yisi yixia yiyang yizhang yizhi zaban zahuishi zaoshang zenme zenmeban zenmehuishi zenyang
    zhege zhihou zhiyou ziji zongshi
    """.split()  # noqa: SIM905
)


def segment(normalized: str, *, fine: bool = True) -> list[str]:
    """Words of already-normalized text in reading order.

    fine=True (indexing, and matching query words) is jieba's search mode: a dictionary word comes out
    whole and as its 2-3 character parts ("主密钥" → "密钥", "主密钥"). fine=False is the precise cut,
    used where whole words matter (pinyin, as-you-type prefix).
    """
    if not normalized:
        return []
    jieba = _segmenter()
    words = jieba.cut_for_search(normalized, True) if fine else jieba.cut(normalized, True)
    tokens: list[str] = []
    for word in words:
        word = word.strip()
        if not word:
            continue
        pieces = _pieces(word)
        if fine and len(word) >= 5 and has_cjk(word):
            # Search mode only splits out 2- and 3-character parts; longer dictionary words inside
            # ("重新签到" in "请重新签到") must match too.
            pieces += [
                word[i : i + n]
                for n in range(4, len(word))
                for i in range(len(word) - n + 1)
                if jieba.has_word(word[i : i + n])
            ]
        for piece in pieces:
            # A stop word is dropped as typed ("morning", "does") and as stemmed.
            if _keep(piece) and _keep(stemmed := stem(piece)):
                tokens.append(stemmed)
    return tokens


def knows_word(word: str) -> bool:
    """Whether the segmenter's dictionary (its own and the domain's) has this word."""
    return _segmenter().has_word(word)


def cut(text: str, *, guess: bool = True) -> list[str]:
    """The segmenter's precise cut of `text`, every piece kept (stop words too). guess=False leaves characters
    that make no dictionary word alone, instead of guessing a new word from them (jieba's HMM)."""
    return [word for word in _segmenter().cut(text, guess) if word.strip()]


def analyze(text: str) -> list[str]:
    """The indexing pipeline for one field: normalized, segmented, stemmed words in order."""
    return segment(normalize(text))


@lru_cache(maxsize=20_000)
def _pinyin_of(phrase: str) -> tuple[str, str]:
    from pypinyin import lazy_pinyin

    syllables = [s for s in lazy_pinyin(phrase) if s.isalpha()]
    return "".join(syllables), "".join(s[0] for s in syllables)


def line_pinyin(line: str) -> str:
    """A whole normalized line in pinyin, syllables joined ("开不了机" → "kaibuliaoji"), so a merchant who types a
    screen text or a symptom in pinyin matches it as a line; "" for a line without Chinese, and for one with
    digits, which pinyin cannot carry ("返回码77" would read as any other code's line)."""
    if not has_cjk(line) or any(ch.isdigit() for ch in line):
        return ""
    return _pinyin_of(line.replace(" ", ""))[0]


def pinyin(text: str) -> list[str]:
    """Full pinyin and initials of the Chinese words in a title or tag list, alone and in runs of up to three.

    "签到失败" gives "qiandao", "qd", "shibai", "sb", "qiandaoshibai", "qdsb", so a merchant typing pinyin
    without tones, with or without spaces, or only initials still finds the title.
    """
    out: list[str] = []
    # Runs never cross punctuation: a title's clauses and each tag stand alone.
    for chunk in normalize(text).split(" "):
        jieba = _segmenter()
        words = [w for w in jieba.cut(chunk, True) if has_cjk(w)] if chunk else []
        # Stop words stay inside runs ("没反应" gives "meifany"), but never stand alone.
        phrases = [
            "".join(words[start : start + size])
            for size in (1, 2, 3)
            for start in range(len(words) - size + 1)
            if size > 1 or (_keep(words[start]) and len(words[start]) > 1)
        ]
        if len(words) > 3 and len("".join(words)) <= 8:
            phrases.append("".join(words))  # a short line whole: "kaibuliaoji", "shuakameifany"
        # The parts of a long word too ("签到失败" → "签到"), as search mode finds them.
        phrases += [part for w in words if len(w) > 2 for part in jieba.cut_for_search(w, True) if part != w]
        for phrase in dict.fromkeys(p for p in phrases if has_cjk(p) and _keep(p)):
            full, initials = _pinyin_of(phrase)
            if full:
                out.append(stem(full))
            if len(initials) >= 2:
                out.append(initials)
    return out


# --- Queries -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """One way a document can match: every token (AND); the last token may be a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass
class ParsedQuery:
    raw: str
    normalized: str
    words: list[str]  # the query's own words (search mode), in order
    clauses: list[Clause] = field(default_factory=list)  # OR-ed; words first, then alternatives
    highlight: set[str] = field(default_factory=set)  # normalized strings to mark in snippets
    is_ascii_letters: bool = False
    prefix: bool = False  # the last word may be unfinished (as-you-type)
    corrections: dict[str, str] = field(default_factory=dict)  # typo → indexed word
    counts: dict[str, int] = field(default_factory=dict)  # indexed word → entries containing it
    expansions: set[Clause] = field(default_factory=set)  # clauses added by synonyms
    # For each synonym clause, the query's words it stands for ("罢工" for "死机"): a page with the
    # synonym covers those words too, at a discount, when ranking and when judging the best match.
    stands_for: dict[Clause, set[str]] = field(default_factory=dict)
    ignored: set[str] = field(default_factory=set)  # brands and model numbers: searched, but not weighed
    # Words right after 不 ("成功" in "签到不成功"): a page saying the word says the opposite; only a synonym of
    # the negated phrase ("失败" for "不成功") covers them.
    negated: set[str] = field(default_factory=set)
    units: list[tuple[str, ...]] = field(default_factory=list)  # words grouped by whole word (_units)
    corrected: str = ""  # normalized, with typos replaced by the indexed words (when there were any)
    owner: int | None = None  # the entry of the code whose screen text the query is (ranking.owning_code)
    as_line: dict[int, float] = field(default_factory=dict)  # per candidate, how far the query is its line
    said: dict[Clause, set[str]] = field(default_factory=dict)  # per synonym clause, the terms typed for it
    # Per synonym group found: its terms, and the ones typed for it (or the parts of its combination).
    groups_said: list[tuple[tuple[str, ...], set[str]]] = field(default_factory=list)
    _synonyms_of: dict | None = field(default=None, repr=False)

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    def synonyms_of(self, word: str) -> list[tuple[str, ...]]:
        """The tokens of each synonym clause standing for `word` (or for its typo correction)."""
        if self._synonyms_of is None:
            self._synonyms_of = {}
            for clause, words in self.stands_for.items():
                for stood in words:
                    self._synonyms_of.setdefault(stood, []).append(clause.tokens)
        found = self._synonyms_of.get(word, [])
        corrected = self.corrections.get(word)
        return found + self._synonyms_of.get(corrected, []) if corrected else found

    def add(self, clause: Clause) -> None:
        if clause.tokens and clause not in self.clauses:
            self.clauses.append(clause)


# A verb and its object split by a potential complement: "结不了账" is "结账" that cannot be done, "签不上到" a
# sign-on (签到) that fails, "联不了网" no network.
_SPLIT_VERB = re.compile(r"([\u4e00-\u9fff])(不了|不上|不到|不进|不成|不动)([\u4e00-\u9fff])")


def rejoin_split_verbs(normalized: str) -> str:
    """The text with each split verb joined again, its complement after it ("结不了账" → "结账不了"), unless
    the split form is itself a word the segmenter knows ("开不了机")."""
    jieba = _segmenter()

    def join(match: re.Match) -> str:
        verb, complement, rest = match.groups()
        if jieba.has_word(match.group()) or not jieba.has_word(verb + rest):
            return match.group()
        return verb + rest + complement

    return _SPLIT_VERB.sub(join, normalized)


# What the merchant says works ("wifi is fine", "网络好好的") is what the problem is not: searching it would find the
# page about that part ("sign-on not working although wifi is fine" is no network question).
_THINGS = (
    r"(?:wifi|wi fi|internet|network|signal|connection|printer|power|battery|screen"
    r"|网络|网|信号|无线网|打印机|电池|电|屏幕)"
)
_FINE = re.compile(
    rf"(?:(?:the|my|our) )?{_THINGS} (?:is|are|seems|looks|works|working) (?:fine|ok|okay|good|normal|all right)"
    rf"|{_THINGS}(?:都|也|是|明明)?(?:好好的|好的|正常|没问题|没毛病|没事)"
)


def without_what_works(normalized: str) -> str:
    """The query without the parts saying something works, when anything else is left."""
    rest = _SPACE.sub(" ", _FINE.sub(" ", normalized)).strip()
    return rest if rest and rest != normalized else normalized


def parse_query(raw: str, *, synonyms: "Synonyms | None" = None, prefix_last: bool = True) -> ParsedQuery:
    normalized = without_what_works(normalize(raw))
    # Words are read off the text with split verbs joined; `normalized` stays as typed, for whole-line matches.
    text = rejoin_split_verbs(normalized)
    words = segment(text)
    parsed = ParsedQuery(
        raw=raw, normalized=normalized, words=words, is_ascii_letters=bool(re.fullmatch(r"[a-z ]+", normalized))
    )
    for word in words:
        parsed.add(Clause((word,)))
        parsed.highlight.add(word)
    if prefix_last:
        whole = segment(normalized, fine=False)
        last = whole[-1] if whole else ""
        if parsed.is_ascii_letters and len(whole) > 1 and len(whole[-1]) <= 4:
            # "qian dao": an unfinished syllable continues the joined pinyin, not a word of its own.
            last = "".join(whole)
        # As-you-type: the last word may be unfinished ("printe", "签到失"). Letters need 3 characters
        # before a prefix is selective enough; one Chinese character already is.
        if (last.isascii() and len(last) >= 3 and not last.isdigit()) or (has_cjk(last) and len(last) <= 2):
            parsed.add(Clause((last,), prefix=True))
            parsed.prefix = True
    if parsed.is_ascii_letters and len(normalized.split()) > 1:
        # Pinyin typed with spaces ("qian dao") matches the joined pinyin indexed for titles and tags.
        parsed.add(Clause(("".join(normalized.split()),)))
    models = {code.lower() for code in model_numbers(normalized)}
    parsed.ignored = {word for word in words if is_brand(word) or word in models}
    parsed.units = _units(text, words)
    cut = [w.strip() for w in _segmenter().cut(text, False) if w.strip()]
    parsed.negated = {stem(w) for before, w in pairwise(cut) if before == "不"} & set(words)
    if synonyms is not None:
        core = without_filler(normalized)
        # Stemmed too, as the terms are matched: "sign on fails" says the synonym "sign on failed"; and with split
        # verbs joined ("结账不了").
        said = [normalized, core, " ".join(stem(word) for word in core.split())]
        if text != normalized:
            said += [text, without_filler(text)]
        add_synonyms(parsed, synonyms, " | ".join(said))
    return parsed


def without_filler(normalized: str) -> str:
    """The query without its stop words, Chinese words joined again: "签到老是不成功" reads "签到不成功" and
    "sign on keeps failing" "sign on failing", so a phrase broken by filler still matches a synonym."""
    text = ""
    for word in _segmenter().cut(normalized, False):
        word = word.strip()
        # A negation is no filler ("签到老是不成功" is not "签到成功"); a word is filler as typed or stemmed
        # ("keeps" as "keep"), as segment drops it.
        if not word or (word not in NEGATIONS and not (_keep(word) and _keep(stem(word)))):
            continue
        text += (" " if text and word.isascii() and text[-1].isascii() else "") + word
    return text


# What comes before the words a merchant copies off the screen: "刷卡就提示请重新签到", "显示余额不足".
_SCREEN_SAYS = re.compile(r"(?:提示|显示|跳出|弹出|报错|屏幕上写着|写着|出现)(?:了|的是|说)?\s*([^\s]{2,})")


def screen_text(normalized: str) -> str:
    """The Chinese text the query quotes after 提示, 显示 and the like, up to the next break, without the filler
    that ends a question ("提示请重新签到怎么办" → "请重新签到"); "" when it quotes none."""
    found = _SCREEN_SAYS.findall(normalized)
    if not found or not has_cjk(found[-1]):
        return ""
    words = [w for w in _segmenter().cut(found[-1], False) if w.strip()]
    while words and not (_keep(words[-1]) or words[-1] in NEGATIONS):
        words.pop()
    return "".join(words)


NEGATIONS = frozenset("没不无未")
LOCATIVES = frozenset("上里内")


def _units(normalized: str, words: list[str]) -> list[tuple[str, ...]]:
    """The query's words grouped by the whole word they come from: ("pos机", "pos"), ("开不了机", "不了").
    Ranking counts each whole word once, covered by any of its parts, so a compound does not weigh double."""
    units: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for whole in segment(normalized, fine=False):
        pieces = tuple(dict.fromkeys(p for p in [whole, *segment(whole)] if p in words and p not in seen))
        if pieces and len(whole) >= 2 and has_cjk(whole):
            if whole[0] != "不" and (whole[0] in NEGATIONS or whole[0] in STOP_WORDS):
                # "没纸", "有钱": a page about 纸 (paper) covers it, though none says 没纸. 不 negates a verb or
                # an adjective: "不行" is no 行 (bank), "不够" no 够.
                pieces += (whole[1:],)
            elif len(whole) == 2 and whole[1] in LOCATIVES:
                pieces += (whole[0],)  # "卡上", "卡里": on or in the card is the card
        if pieces:
            units.append(pieces)
            seen.update(pieces)
    units += [(word,) for word in dict.fromkeys(words) if word not in seen]
    return units


def add_synonyms(parsed: ParsedQuery, synonyms: "Synonyms", text: str, *, phrases_only: bool = False) -> None:
    """The other terms of every synonym group found in `text` (the query, or the query with its typos
    corrected) become alternative clauses, each remembering which of the query's words it stands for."""
    for terms, found in synonyms.matches(text):
        if phrases_only and not any(" " in term for term in found):
            continue
        words = {word for term in found for word in segment(term)}
        if words <= DEVICE_WORDS or DEVICE_WORDS & set(terms):
            # Other names for the terminal match every page and would only add noise; and a name of it typed
            # ("card machine") says as little as "POS机": "card" there is not about a card.
            parsed.ignored |= words
            continue
        parsed.groups_said.append((terms, set(found)))
        for term in terms:
            clause = Clause(tuple(segment(term, fine=False)))
            if not clause.tokens:
                continue
            if shared := set(clause.tokens) & words:
                # A term sharing a word with what was typed ("sign on failed" for "cannot sign on") is not
                # searched: it would only count that word again, for the pages that repeat it most. What it
                # adds stands for the rest ("fail" for "not"), where a page holds the whole term.
                if rest := words - shared:
                    parsed.stands_for.setdefault(clause, set()).update(rest)
                continue
            if clause not in parsed.clauses:
                parsed.add(clause)
                parsed.expansions.add(clause)
                parsed.highlight.add(term)
            if clause in parsed.expansions:
                parsed.stands_for.setdefault(clause, set()).update(words)
                parsed.said.setdefault(clause, set()).update(found)


def _brands() -> frozenset[str]:
    if "brands" not in _state:
        lines = segmenter.BRANDS.read_text(encoding="utf-8").splitlines()
        _state["brands"] = frozenset(normalize(line) for line in lines if line.strip() and not line.startswith("#"))
    return _state["brands"]


_MODEL_NUMBER = re.compile(r"[a-z]{1,3}[0-9]{3,4}[a-z]?|[a-z]{1,4}[0-9]{2,4}[a-z]?(?<=.{3})")


def is_brand(word: str) -> bool:
    """A terminal maker, payment brand, model number or the word for the terminal itself ("拉卡拉", "a920",
    "POS机"): a merchant names the machine in passing, so it must not decide which page ranks first."""
    return word in _brands() or word in DEVICE_WORDS or bool(_MODEL_NUMBER.fullmatch(word))


# Every page is about the terminal: naming it ("POS机怎么签到") says nothing about which page is meant.
DEVICE_WORDS = frozenset({"pos", "pos机", "pos终端", "终端", "刷卡机", "收款机", "terminal", "machine", "device"})


# Latin prefixes are whole words: "err" inside "error" must not make "or" a code ("MAC error").
_CODE_PREFIX = (
    r"(?:应答码|返回码|错误码|响应码|错误代码|返回代码|代码|码|(?<![a-z])(?:error|err|code|response code|rc)(?![a-z]))"
)
_CODE = r"([a-z0-9]{2})"


# After a bare number, what makes it a quantity rather than a code: "等了90秒", "12点", "waited 30 seconds".
_UNITS = (
    r"[秒分元块毛角次个号点天年月日岁张笔台位人万千百多]|"
    r"\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|times|yuan|rmb|dollars?|percent|pm|am)(?![a-z])"
)
# A two-digit number standing alone or between Chinese characters ("显示05是啥意思"), not a quantity.
_BARE_NUMBER = re.compile(r"(?<![a-z0-9第])([0-9]{2})(?![a-z0-9])(?!" + _UNITS + ")")


def code_candidates(normalized: str) -> list[str]:
    """Strings in the query that look like a response code, in order (upper case, not yet checked).

    "a0", "应答码a0", "返回码 77", "错误码99", "error 99", "显示05是啥意思", "why does it say 51". A bare
    two-digit number counts unless a unit follows it, so "等了90秒" is not code 90; a letter-and-digit code
    ("a0 错误") is unambiguous anywhere. The caller keeps only the codes the index has.
    """
    found: list[str] = []
    for match in re.finditer(_CODE_PREFIX + r"\s*" + _CODE + r"(?![a-z0-9])", normalized):
        found.append(match.group(1))
    tokens = normalized.split()
    if len(tokens) == 1 and re.fullmatch(r"[a-z0-9]{2}", tokens[0]):
        found.append(tokens[0])
    for match in _LETTER_DIGIT.finditer(normalized):
        if not _NETWORK_GENERATION.fullmatch(match.group(1)):
            found.append(match.group(1))
    for match in _BARE_NUMBER.finditer(normalized):
        found.append(match.group(1))
    return [c.upper() for c in dict.fromkeys(found)]


# "4G卡", "5G": the mobile network, never a response code, unless typed after 返回码 or "code".
_NETWORK_GENERATION = re.compile(r"[2-5]g")
_LETTER_DIGIT = re.compile(r"(?<![a-z0-9])([a-z][0-9]|[0-9][a-z])(?![a-z0-9])")


def model_numbers(normalized: str) -> set[str]:
    """Letter-and-digit pairs right after a maker's name ("联迪A8", "sunmi p2"): a model, not a response
    code, unless the table has that code (upper case, as code_candidates gives them)."""
    found = set()
    for match in _LETTER_DIGIT.finditer(normalized):
        before = normalized[: match.start()].rstrip()
        word = re.search(r"[a-z]+$", before) if before[-1:].isascii() else None
        if (word.group() in _brands()) if word else any(before.endswith(b) for b in _brands() if has_cjk(b)):
            found.add(match.group(1).upper())
    return found


# Letters merchants type for look-alike digits when copying a code from the screen ("AO" for "A0").
_LOOKALIKE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def code_lookalikes(normalized: str) -> list[str]:
    tokens = normalized.split()
    if len(tokens) != 1 or len(tokens[0]) != 2 or not tokens[0].isalnum():
        return []
    code = tokens[0].upper()
    fixed = code[0] + code[1].translate(_LOOKALIKE)
    return [fixed] if fixed != code else []


_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


def edits1(word: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion away (Norvig's spelling corrector)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + transposes + replaces + inserts) - {word}
