"""The shipped articles agree with the response-code table and with each other.

These checks read the content files, so a wrong claim fails here before it reaches a merchant: an article that
tells the merchant to sign on for a code that signing on cannot fix, a code presented as something its own page
rules out, or a Chinese and an English version that drifted apart.
"""

import re
from pathlib import Path

import frontmatter
import pytest
import yaml

from kb.management.commands.kb_load import CONTENT_DIR
from kb.markdown import BLOCKS_DIR

ARTICLES = CONTENT_DIR / "articles"
LANGUAGES = ("zh-hans", "en")
_CODE_LINK = re.compile(r"\]\(code:([A-Za-z0-9]+)\)")
_INTERNAL_LINK = re.compile(r"\]\((article|code):([A-Za-z0-9_-]+)\)")
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s")
_HEADING = re.compile(r"^(#{2,3})\s")
_TABLE_RULE = re.compile(r"^\|[\s|:-]+\|$")
_LEADING_CODES = re.compile(r"^\s*(?:\d{1,3}\.\s+)?((?:[0-9A-Z]{2}(?:\s*(?:、|,|，|或|or|and)\s*)?)+)[：:]")

# A statement that tells the merchant to sign on, and one that says signing on does not help.
SIGN_ON = {
    "zh-hans": re.compile(
        r"做一次POS签到|先做POS签到|做POS签到|POS签到后重试|签到后重试|签到后再试|再签一次|同样先做POS签到"
    ),
    "en": re.compile(
        r"sign on once|sign on first|sign on, then|sign on and retry|POS sign-on, then|also sign on|sign on once more",
        re.IGNORECASE,
    ),
}
NO_SIGN_ON = {
    "zh-hans": re.compile(
        r"签到也?没用|签到无效|签到都无效|签到解决不了|签到和重刷都解决不了|不要反复签到|停止签到|不会要求重新签到|不用签到"
        r"|与签到无关|重新签到没有帮助|重新签到不会|不需要签到|签到也不会"
    ),
    "en": re.compile(
        r"signing on (?:again )?(?:does not|will not|cannot|changes nothing|helps with neither|is not needed)"
        r"|do not keep signing on|stop signing on|no sign-on needed|nothing to do with sign-on|unrelated to sign-on"
        r"|neither asks you to sign in again|never cause .请重新签到",
        re.IGNORECASE,
    ),
}

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
        r"未登记|冻结|解冻|not registered|frozen|unfreeze",
        r"商户和终端本身是正常的|otherwise fine|未开通|not enabled",
    ),
]


def _codes() -> dict[str, dict]:
    items = yaml.safe_load((CONTENT_DIR / "response_codes.yaml").read_text(encoding="utf-8"))
    return {str(item["code"]).upper(): item for item in items}


def _slugs() -> list[str]:
    return sorted({path.name.partition(".")[0] for path in ARTICLES.glob("*.md")})


def _article(slug: str, language: str) -> frontmatter.Post:
    return frontmatter.load(ARTICLES / f"{slug}.{language}.md")


def _statements(body: str, language: str) -> list[str]:
    """List items, table rows and sentences: the unit a claim about a code lives in."""
    enders = r"(?<=[。；])" if language == "zh-hans" else r"(?<=[.;])\s+"
    statements = []
    for line in body.splitlines():
        if line.strip():
            statements += [part for part in re.split(enders, line) if part.strip()]
    return statements


def _codes_in(statement: str, table: dict) -> set[str]:
    """Linked codes, plus codes a statement starts with ("2. 03、58、97：…", "A0 or 99: …")."""
    found = {code.upper() for code in _CODE_LINK.findall(statement)}
    item = _LEADING_CODES.match(statement)
    if item:
        found |= {token for token in re.findall(r"[0-9A-Z]{2}", item.group(1)) if token in table}
    return found


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


def _claims(statement_filter) -> list[str]:
    table = _codes()
    found = []
    for slug in _slugs():
        for language in LANGUAGES:
            for statement in _statements(_article(slug, language).content, language):
                found += statement_filter(slug, language, statement, _codes_in(statement, table), table)
    return found


def test_every_code_an_article_tells_the_merchant_to_sign_on_for_is_one_that_signing_on_can_help():
    def wrong(slug, language, statement, codes, table):
        if not SIGN_ON[language].search(statement) or NO_SIGN_ON[language].search(statement):
            return []
        return [f"{slug}.{language}: {code} ({table[code]['resign']}): {statement.strip()}"
                for code in sorted(codes) if table[code]["resign"] not in ("yes", "maybe")]  # fmt: skip

    assert _claims(wrong) == []


def test_no_article_says_signing_on_does_not_help_for_a_code_where_it_does():
    def wrong(slug, language, statement, codes, table):
        if not NO_SIGN_ON[language].search(statement):
            return []
        return [f"{slug}.{language}: {code} ({table[code]['resign']}): {statement.strip()}"
                for code in sorted(codes) if table[code]["resign"] != "no"]  # fmt: skip

    assert _claims(wrong) == []


def test_the_sign_on_claim_checks_read_the_articles():
    # Guards the two tests above against matching nothing: the hub and the key article do make such claims.
    table = _codes()
    said = {"sign on": set(), "no sign on": set()}
    for slug in ("cause-verification", "cause-account-card", "do-not-retry"):
        for statement in _statements(_article(slug, "zh-hans").content, "zh-hans"):
            if SIGN_ON["zh-hans"].search(statement):
                said["sign on"] |= _codes_in(statement, table)
            if NO_SIGN_ON["zh-hans"].search(statement):
                said["no sign on"] |= _codes_in(statement, table)
    assert {"A0", "99"} <= said["sign on"]
    assert {"03", "97"} <= said["no sign on"]


@pytest.mark.parametrize("page_says, claim, denial", RULED_OUT)
def test_no_article_presents_a_code_as_something_its_own_page_rules_out(page_says, claim, denial):
    table = _codes()
    ruled_out = {
        code
        for code, item in table.items()
        if re.search(page_says, " ".join((item.get("details") or {}).values()), re.IGNORECASE)
    }
    assert ruled_out, f"no code page says {page_says!r}: the rule no longer checks anything"

    def wrong(slug, language, statement, _codes, _table):
        said = {code: text for code, text in _about(statement).items() if code in ruled_out}
        return [
            f"{slug}.{language}: {code}: {statement.strip()}"
            for code, text in sorted(said.items())
            if re.search(claim, text, re.IGNORECASE) and not re.search(denial, text, re.IGNORECASE)
        ]

    assert _claims(wrong) == []


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
