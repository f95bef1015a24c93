"""The shipped articles and code pages agree with the response-code table and with each other.

These checks read every field a merchant reads (an article's title, summary, "do this now" block and body; a
code's name, action, details and screen texts), so a wrong claim fails here before it reaches a merchant: an
article that tells the merchant to sign on for a code that signing on cannot fix, a code in a "do not retry" list
that the table says to retry, a code presented as something its own page rules out, two codes that claim the
same screen text, or a Chinese and an English version that name different codes or numbers.
"""

import re
from collections import defaultdict
from pathlib import Path

import frontmatter
import pytest
import yaml

from kb.management.commands.kb_load import CONTENT_DIR
from kb.markdown import BLOCKS_DIR

ARTICLES = CONTENT_DIR / "articles"
LANGUAGES = ("zh-hans", "en")
# A copy of shared/domain/research-notes.md (see tests/kb/fixtures/README.md): what terminals display per code.
RESEARCH_NOTES = Path(__file__).resolve().parent / "fixtures" / "research-notes.md"
ARTICLE_FIELDS = ("title", "summary", "do_now", "body")
CODE_FIELDS = ("name", "action", "details")
# `retry` in response_codes.yaml: may the merchant run the same payment again?
RETRY = {"yes", "check", "no", "approved"}
NOT_TO_RETRY = {"check", "no", "approved"}

_CODE_LINK = re.compile(r"\]\(code:([A-Za-z0-9]+)\)")
_INTERNAL_LINK = re.compile(r"\]\((article|code):([A-Za-z0-9_-]+)\)")
_LINK_TARGET = re.compile(r"\]\((?:article|code):[A-Za-z0-9_-]+\)")
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s")
_HEADING = re.compile(r"^(#{2,3})\s")
_TABLE_RULE = re.compile(r"^\|[\s|:-]+\|$")
# A code written without a link ("返回03、97", "codes 04, 34"), not a count or a length ("15位", "30 seconds").
_PLAIN_CODE = re.compile(
    r"(?<![0-9A-Za-z\[:.])([0-9]{2}|[A-Z][0-9])(?![0-9A-Za-z\]])"
    r"(?!\s*(?:位|秒|分钟|分|小时|天|次|笔|元|个|号|%))(?!\s*(?:seconds?|minutes?|hours?|days?|digits?|characters?|times?)\b)"
)

# A statement that tells the merchant to sign on, and one that says signing on does not help.
SIGN_ON = {
    "zh-hans": re.compile(
        r"做一次POS签到|先做POS签到|做POS签到|POS签到后重试|签到后重试|签到后再试|再签一次|同样先做POS签到|签到一次再试"
        r"|签到成功后重做|成功后重做交易"
    ),
    "en": re.compile(
        r"sign on once|sign on first|sign on, then|sign on and retry|sign on and try|POS sign-on, then|also sign on"
        r"|sign on once more|sign on \(|once it succeeds, redo|then redo the transaction",
        re.IGNORECASE,
    ),
}
NO_SIGN_ON = {
    "zh-hans": re.compile(
        r"签到也?没用|签到无效|签到都无效|签到解决不了|签到和重刷都解决不了|不要反复签到|别再反复签到|反复签到只会|停止签到"
        r"|不会要求重新签到|不用签到|与签到无关|重新签到没有帮助|重新签到不会|不需要签到|签到也不会|签到帮不了"
    ),
    "en": re.compile(
        r"signing on (?:again )?(?:does not|will not|cannot|changes nothing|helps with neither|is not needed"
        r"|helps neither)"
        r"|keep signing on|stop signing on|no sign-on needed|nothing to do with sign-on|unrelated to sign-on"
        r"|neither asks you to sign on again|never cause .请重新签到",
        re.IGNORECASE,
    ),
}
# A line that tells the merchant not to run the payment again.
DO_NOT_RETRY = {
    "zh-hans": re.compile(
        r"不要(?:直接|马上)?(?:再次?|重新)?刷(?!磁条)|别再刷|不要重刷|不能重试|不要重试|再刷也不会|不要再收"
    ),
    "en": re.compile(
        r"(?:do not|don't|must not|never) (?:simply |just )?(?:swipe|retry|try the card|charge again|keep swiping"
        r"|keep retrying)",
        re.IGNORECASE,
    ),
}
# Advice to take another card or payment method: wrong for a payment that went through.
ANOTHER_WAY = re.compile(
    r"其他(?:支付|收款)方式|其他方式(?:支付|收款)|换一张卡|换卡|another card|another way to pay|pay another way", re.I
)

# Claims a code's own page rules out: (what the page says, the claim, what makes a mention of it a denial).
RULED_OUT = [
    (
        r"不是断网|not a network failure",
        r"断网|网络问题|网络不通|network down|network problem|network failure",
        r"不是|不属于|not",
    ),
    (
        r"限额由发卡行设定|The card issuer sets the limit|发卡行设定的上限|number of transactions its issuer allows",
        r"商户限额|商户的限额|提高限额|merchant limit|raise .*limit",
        r"不是商户限额|not merchant limits",
    ),
    (
        r"问题在终端权限|It is a terminal permission",
        r"未登记|冻结|解冻|not registered|unregistered|frozen|unfreeze",
        r"商户和终端本身是正常的|otherwise fine|未开通|not enabled",
    ),
    (r"PIN格式错|PIN block format error", r"MAC", r"PIN"),  # 99 is a PIN block error, not a MAC error
]

# Sentences that were wrong once (issue 23), each with the reason; none may come back in any field.
NEVER_SAY = [
    (
        r"小额交易|\bsmall (?:payment|sale)|\btest payment",
        "a test sale charges a real card: retry the customer's own payment",
    ),
    (r"当天未结算|today's unsettled", "void or refund depends on whether the batch is settled, not on the day"),
    (
        r"常见于结算后没有签到|或结算后还没有签到|nobody signed on after settlement",
        "77's sourced cause is a batch mismatch",
    ),
    (r"多是途中断网|usually because the connection dropped", "a host that does not answer looks the same"),
    (r"返回码表是银联规范里的通用代码|table lists the general codes of the UnionPay", "77 is a POS-centre code"),
    (r"(?:仍处于未签到|仍未签到|still not signed on).*code:(?:A0|99)", "not signed on shows 未签到, not A0/99"),
    (r"手机mPOS应用在首次使用|mPOS apps need a new sign-on on first use", "one app's help text is not a rule"),
    (r"something else than|in circles|declined for the amount", "reads machine-translated"),
    (r"an inference, not confirmed|an inference from how the host works", "say it as a possibility ('may')"),
    (r"这张卡已被锁定|卡被锁|card is locked|lock(?:s|ed)? the card", "75 locks the PIN, not the card"),
]


def _codes() -> dict[str, dict]:
    items = yaml.safe_load((CONTENT_DIR / "response_codes.yaml").read_text(encoding="utf-8"))
    return {str(item["code"]).upper(): item for item in items}


def _slugs() -> list[str]:
    return sorted({path.name.partition(".")[0] for path in ARTICLES.glob("*.md")})


def _article(slug: str, language: str) -> frontmatter.Post:
    return frontmatter.load(ARTICLES / f"{slug}.{language}.md")


def _article_texts(post: frontmatter.Post) -> dict[str, str]:
    meta = post.metadata
    return {
        "title": str(meta.get("title") or ""),
        "summary": str(meta.get("summary") or ""),
        "do_now": str(meta.get("do_now") or ""),
        "body": post.content,
    }


def _code_texts(item: dict, language: str) -> dict[str, str]:
    return {field: str((item.get(field) or {}).get(language) or "") for field in CODE_FIELDS}


def _linked(text: str, table: dict) -> str:
    """The text with every code written without a link turned into one, so a claim about "03、58、97" is read
    like a claim about linked codes."""
    return _PLAIN_CODE.sub(lambda m: f"[{m[1]}](code:{m[1]})" if m[1] in table else m[0], text)


def _sources(table: dict):
    """Every text a merchant reads: (where, language, text with codes linked, codes it speaks of when it names
    none). An article's title speaks of the codes it lists; a code page speaks of its own code."""
    for slug in _slugs():
        for language in LANGUAGES:
            post = _article(slug, language)
            listed = frozenset(str(code).upper() for code in post.metadata.get("codes") or [])
            for field, text in _article_texts(post).items():
                yield (
                    f"{slug}.{language}:{field}",
                    language,
                    _linked(text, table),
                    listed if field == "title" else frozenset(),
                )
    for code, item in table.items():
        for language in LANGUAGES:
            for field, text in _code_texts(item, language).items():
                yield f"code {code}.{language}:{field}", language, _linked(text, table), frozenset({code})


def _statements(body: str, language: str) -> list[str]:
    """List items, table rows and sentences: the unit a claim about a code lives in."""
    enders = r"(?<=[。；])" if language == "zh-hans" else r"(?<=[.;])\s+"
    statements = []
    for line in body.splitlines():
        if line.strip():
            statements += [part for part in re.split(enders, line) if part.strip()]
    return statements


def _codes_in(statement: str, table: dict) -> set[str]:
    return {code.upper() for code in _CODE_LINK.findall(statement) if code.upper() in table}


_LINKED_CODE = re.compile(r"\[[^\]]*\]\(code:([A-Za-z0-9]+)\)")
_SEPARATORS = re.compile(r"^[\s、,，或和及（）()|]*(?:or|and)?[\s、,，（）()|]*$")


def _about(statement: str) -> dict[str, str]:
    """What a statement says about each code it links: the text after the link up to the next code, shared by
    codes listed together ("[61]、[65]"); the lead-in before the first code belongs to the first group, and in a
    table row, the cells before the code's cell."""
    parts = _LINKED_CODE.split(statement)
    lead, about, group = parts[0], {}, []
    pairs = list(zip(parts[1::2], parts[2::2], strict=True))
    for index, (code, text) in enumerate(pairs):
        group.append(code.upper())
        if _SEPARATORS.match(text) and index < len(pairs) - 1:
            continue
        shared = lead + text if lead is not None else text
        about |= dict.fromkeys(group, shared)
        group, lead = [], (lead if statement.lstrip().startswith("|") else None)
    return about


def _said(where: str, statement: str, codes: set[str]) -> dict[str, str]:
    """What a statement says about each code; on a code page, a statement that names no code speaks of the page's
    own code, and the page's claims about its own code are its definition, not something to check it against."""
    if not where.startswith("code "):
        return _about(statement)
    own = where.split()[1].partition(".")[0]
    about = _about(statement) or dict.fromkeys(codes, statement)
    return {code: text for code, text in about.items() if code != own}


def _claims(statement_filter) -> list[str]:
    """What `statement_filter(where, language, statement, codes, table)` finds in every statement a merchant
    reads; `codes` are the codes the statement names, or those its field speaks of when it names none."""
    table = _codes()
    found = []
    for where, language, text, implied in _sources(table):
        for statement in _statements(text, language):
            codes = _codes_in(statement, table) or set(implied)
            found += statement_filter(where, language, statement, codes, table)
    return found


def test_every_code_an_article_tells_the_merchant_to_sign_on_for_is_one_that_signing_on_can_help():
    def wrong(where, language, statement, codes, table):
        if not SIGN_ON[language].search(statement) or NO_SIGN_ON[language].search(statement):
            return []
        return [f"{where}: {code} ({table[code]['resign']}): {statement.strip()}"
                for code in sorted(codes) if table[code]["resign"] not in ("yes", "maybe")]  # fmt: skip

    assert _claims(wrong) == []


def test_no_article_says_signing_on_does_not_help_for_a_code_where_it_does():
    def wrong(where, language, statement, codes, table):
        if not NO_SIGN_ON[language].search(statement):
            return []
        return [f"{where}: {code} ({table[code]['resign']}): {statement.strip()}"
                for code in sorted(codes) if table[code]["resign"] != "no"]  # fmt: skip

    assert _claims(wrong) == []


def test_the_sign_on_claim_checks_read_the_articles_and_the_code_pages():
    # Guards the two tests above against matching nothing: the hub, the key article and the code pages do make
    # such claims, in their bodies and in the fields above the body.
    table = _codes()
    said = {"sign on": set(), "no sign on": set()}
    for where, language, text, implied in _sources(table):
        for statement in _statements(text, language):
            codes = _codes_in(statement, table) or set(implied)
            if SIGN_ON[language].search(statement) and not NO_SIGN_ON[language].search(statement):
                said["sign on"] |= {(code, where.rpartition(":")[2]) for code in codes}
            if NO_SIGN_ON[language].search(statement):
                said["no sign on"] |= {(code, where.rpartition(":")[2]) for code in codes}
    assert {("A0", "body"), ("99", "body"), ("77", "action"), ("A0", "details")} <= said["sign on"]
    assert {("03", "body"), ("97", "body"), ("97", "action"), ("03", "summary")} <= said["no sign on"]


def test_every_code_named_in_a_do_not_retry_list_is_one_the_table_says_not_to_retry():
    table = _codes()
    wrong = []
    for where, language, text, implied in _sources(table):
        for line in text.splitlines():
            if DO_NOT_RETRY[language].search(line):
                codes = _codes_in(line, table) or set(implied)
                wrong += [f"{where}: {code} (retry: {table[code]['retry']}): {line.strip()}"
                          for code in sorted(codes) if table[code]["retry"] not in NOT_TO_RETRY]  # fmt: skip
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_code_the_do_not_retry_article_names_is_one_the_table_says_not_to_retry(language):
    table = _codes()
    post = _article("do-not-retry", language)
    named = {str(code).upper() for code in post.metadata.get("codes") or []}
    for text in _article_texts(post).values():
        named |= _codes_in(_linked(text, table), table)
    assert named, "the do-not-retry article names no code: the check reads nothing"
    assert {code: table[code]["retry"] for code in named if table[code]["retry"] not in NOT_TO_RETRY} == {}


def test_every_code_says_whether_the_payment_may_be_run_again():
    assert {code: item.get("retry") for code, item in _codes().items() if item.get("retry") not in RETRY} == {}


def test_no_text_tells_the_merchant_to_take_another_card_for_a_payment_that_went_through():
    def wrong(where, _language, statement, codes, table):
        about = _about(statement) or dict.fromkeys(codes, statement)
        return [f"{where}: {code}: {statement.strip()}" for code, text in sorted(about.items())
                if table[code]["retry"] == "approved" and ANOTHER_WAY.search(text)]  # fmt: skip

    assert _claims(wrong) == []


@pytest.mark.parametrize("page_says, claim, denial", RULED_OUT)
def test_no_article_presents_a_code_as_something_its_own_page_rules_out(page_says, claim, denial):
    table = _codes()
    ruled_out = {
        code
        for code, item in table.items()
        if re.search(page_says, " ".join([*(item.get("details") or {}).values(), *item["name"].values()]), re.I)
    }
    assert ruled_out, f"no code page says {page_says!r}: the rule no longer checks anything"

    def wrong(where, _language, statement, codes, _table):
        said = {code: text for code, text in _said(where, statement, codes).items() if code in ruled_out}
        return [
            f"{where}: {code}: {statement.strip()}"
            for code, text in sorted(said.items())
            if re.search(claim, text, re.IGNORECASE) and not re.search(denial, text, re.IGNORECASE)
        ]

    assert _claims(wrong) == []


@pytest.mark.parametrize("pattern, reason", NEVER_SAY, ids=[reason for _p, reason in NEVER_SAY])
def test_a_claim_corrected_once_appears_in_no_field(pattern, reason):
    table = _codes()
    found = [
        f"{where}: {line.strip()}"
        for where, _language, text, _implied in _sources(table)
        for line in text.splitlines()
        if re.search(pattern, line, re.IGNORECASE)
    ]
    assert found == [], reason


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def _spec_displays() -> dict[str, list[str]]:
    """What the specification's terminals display for each code: the research notes' table, "meaning → display"."""
    notes = RESEARCH_NOTES.read_text(encoding="utf-8").split("## 1.")[1].split("\n## ")[0]
    displays = {}
    for cell, meaning in re.findall(r"^\|([^|]+)\|([^|]+)\|", notes, flags=re.MULTILINE):
        if "→" not in meaning:
            continue
        shown = [part.strip() for part in meaning.split("→", 1)[1].split(" / ") if part.strip()]
        codes = re.findall(r"[0-9A-Z]{2}", cell.replace("*", ""))
        if "–" in cell:  # "A4–A6"
            first, last = codes
            codes = [f"{first[0]}{n}" for n in range(int(first[1]), int(last[1]) + 1)]
        displays |= dict.fromkeys(codes, shown)
    return displays


def _action(item: dict) -> tuple[str, str]:
    return (item["action"]["zh-hans"].strip(), item["action"]["en"].strip())


def test_no_two_codes_that_need_different_actions_share_a_screen_text():
    table = _codes()
    owners = defaultdict(set)
    for code, item in table.items():
        for text in item.get("screen_texts") or []:
            owners[_norm(str(text))].add(code)
    shared = {text: sorted(codes) for text, codes in owners.items() if len({_action(table[c]) for c in codes}) > 1}
    assert shared == {}


def test_every_message_a_terminal_displays_leads_to_its_own_code():
    """A screen text of one code inside another code's message ("请重试" inside "交易超时，请重试") sends the
    merchant to the wrong page unless the right code lists the whole message; a message the specification
    shows for codes with different actions ("交易失败，请重试" for 12 and 30) belongs to no code: only the
    code number tells them apart."""
    table, displays = _codes(), _spec_displays()
    assert {"98", "A0", "A2", "A5"} <= displays.keys(), "the research notes' table was not parsed"
    shown_by = defaultdict(set)
    for code, messages in displays.items():
        for message in messages:
            shown_by[_norm(message)].add(code)
    ambiguous = {m for m, codes in shown_by.items() if len({_action(table[c]) for c in codes if c in table}) > 1}
    texts = {code: {_norm(str(t)) for t in item.get("screen_texts") or []} for code, item in table.items()}
    wrong = []
    for code, messages in displays.items():
        if code not in table:
            continue
        same = {c for c in table if _action(table[c]) == _action(table[code])}
        for message in map(_norm, messages):
            inside = {c for c, own in texts.items() for t in own if t and t in message}
            if message in ambiguous:
                # A code's own, unambiguous message may sit inside it ("请联系发卡行" for 57).
                inside = {c for c in inside if not any(t in message and shown_by.get(t) == {c} for t in texts[c])}
                wrong += [f"{message}: shown for {sorted(shown_by[message])}, claimed by {c}" for c in sorted(inside)]
            elif inside - same and not any(message in texts[c] for c in same):
                wrong += [f"{message} ({code}): claimed by {sorted(inside - same)}, not listed whole by {code}"]
    assert wrong == []


def _named(text: str, table: dict) -> tuple[set[str], set[str]]:
    """The codes and the other numbers a text names (not link targets)."""
    text = _LINK_TARGET.sub("]", text).replace("\\*", "*")
    tokens = set(re.findall(r"(?<![0-9A-Za-z])(?:[A-Z][0-9]|[0-9]+)(?![0-9])", text))
    return {t for t in tokens if t in table}, {t for t in tokens if t not in table}


@pytest.mark.parametrize("slug", _slugs())
def test_the_chinese_and_english_versions_name_the_same_codes_and_numbers(slug):
    table = _codes()
    texts = {language: _article_texts(_article(slug, language)) for language in LANGUAGES}
    differ = {
        field: (_named(texts["zh-hans"][field], table), _named(texts["en"][field], table))
        for field in ARTICLE_FIELDS
        if _named(texts["zh-hans"][field], table) != _named(texts["en"][field], table)
    }
    assert differ == {}


def test_every_code_page_names_the_same_codes_and_numbers_in_both_languages():
    table = _codes()
    differ = {
        f"{code}:{field}": (_named(item[field]["zh-hans"], table), _named(item[field]["en"], table))
        for code, item in table.items()
        for field in CODE_FIELDS
        if _named(str(item[field]["zh-hans"]), table) != _named(str(item[field]["en"]), table)
    }
    assert differ == {}


_GLOSS = re.compile(r"[“\"]([^”\"]*?[\u4e00-\u9fff][^”\"]*?)[”\"] \(([^)]+)\)")


def _english_texts() -> list[tuple[str, str]]:
    table = _codes()
    return [(where, text) for where, language, text, _implied in _sources(table) if language == "en"]


def test_each_chinese_screen_label_has_one_english_gloss():
    glosses = defaultdict(set)
    for _where, text in _english_texts():
        for label, gloss in _GLOSS.findall(text):
            if "[" not in gloss:  # "(see [an article](…))" is a pointer, not a gloss
                glosses[label].add(gloss.split(";")[0].strip().lower())
    assert glosses, "no glossed Chinese label found: the check reads nothing"
    assert {label: sorted(found) for label, found in glosses.items() if len(found) > 1} == {}


def test_english_calls_the_terminal_sign_on_a_sign_on_not_a_sign_in():
    # "Sign in" is the operator's local login (操作员签到); 请重新签到 asks for the terminal's sign-on.
    found = [f"{where}: {line.strip()}" for where, text in _english_texts() for line in text.splitlines()
             if re.search(r"sign(?:ed)?[ -]in again", line, re.IGNORECASE)]  # fmt: skip
    assert found == []


def test_links_to_the_acquirer_article_name_the_acquirer():
    table = _codes()
    word = {"zh-hans": "收单", "en": "acquirer"}
    found = [
        f"{where}: {text!r}"
        for where, language, body, _implied in _sources(table)
        for text in re.findall(r"\[([^\]]+)\]\(article:contact-bank\)", body)
        if word[language] not in text.lower()
    ]
    assert found == []


def _shape(body: str) -> list[tuple]:
    """Per section: heading level, list items, table rows, and the pages it links to."""
    sections: list[dict] = [{"level": "", "items": 0, "rows": 0, "links": []}]
    for line in body.splitlines():
        if heading := _HEADING.match(line):
            sections.append({"level": heading.group(1), "items": 0, "rows": 0, "links": []})
            continue
        section = sections[-1]
        section["items"] += bool(_LIST_ITEM.match(line))
        section["rows"] += line.startswith("|") and not _TABLE_RULE.match(line.strip())
        section["links"] += _INTERNAL_LINK.findall(line)
    return [(s["level"], s["items"], s["rows"], sorted(s["links"])) for s in sections]


@pytest.mark.parametrize("slug", _slugs())
def test_the_chinese_and_english_versions_have_the_same_structure_and_links(slug):
    zh, en = _article(slug, "zh-hans"), _article(slug, "en")
    assert _shape(zh.content) == _shape(en.content)


@pytest.mark.parametrize("slug", _slugs())
def test_the_chinese_and_english_versions_share_category_order_codes_and_related(slug):
    zh, en = _article(slug, "zh-hans").metadata, _article(slug, "en").metadata
    for field in ("category", "order", "codes", "related"):
        assert zh.get(field) == en.get(field), field


@pytest.mark.parametrize("slug", _slugs())
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_article_includes_the_shared_what_to_prepare_block(slug, language):
    assert "[[include:prepare]]" in _article(slug, language).content


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_shared_block_exists_in_both_languages_with_the_same_list(language):
    blocks = {lang: (BLOCKS_DIR / f"prepare.{lang}.md").read_text(encoding="utf-8") for lang in LANGUAGES}
    items = {lang: sum(bool(_LIST_ITEM.match(line)) for line in text.splitlines()) for lang, text in blocks.items()}
    assert items[language] == items["zh-hans"] > 0


@pytest.mark.parametrize("slug", _slugs())
def test_every_code_an_article_lists_is_one_its_chinese_body_mentions(slug):
    # The chips at the top of the page promise the article deals with these codes.
    post = _article(slug, "zh-hans")
    listed = {str(code).upper() for code in post.metadata.get("codes") or []}
    mentioned = {code.upper() for code in _CODE_LINK.findall(post.content)}
    assert listed <= mentioned, f"listed but never linked in the body: {listed - mentioned}"


@pytest.mark.parametrize("path", sorted(ARTICLES.glob("*.md")), ids=lambda p: p.name)
def test_front_matter_fits_the_article_fields(path: Path):
    meta = frontmatter.load(path).metadata
    assert 0 < len(meta["title"]) <= 120
    assert 0 < len(meta["summary"]) <= 200
    assert len(", ".join(str(c) for c in meta.get("codes") or [])) <= 100
    assert len(", ".join(meta.get("related") or [])) <= 500
