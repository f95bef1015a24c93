"""The text pipeline shared by indexing and queries, and the query plan (no database)."""

import pytest

from kb.search import planning
from kb.search.pipeline import (
    Clause,
    ParsedQuery,
    analyze,
    code_candidates,
    code_lookalikes,
    edits1,
    normalize,
    parse_query,
    pinyin,
    rejoin_split_verbs,
    screen_text,
    segment,
    without_what_works,
)
from kb.search.synonym_groups import Synonyms


def test_it_converts_traditional_to_simplified():
    assert normalize("簽到失敗") == "签到失败"


def test_it_turns_full_width_characters_into_half_width():
    assert normalize("ＰＯＳ機 Ａ０") == "pos机 a0"


def test_it_lowercases_and_drops_extra_spaces_and_punctuation():
    assert normalize("  Printer,,  NOT   working!!？ ") == "printer not working"


def test_it_keeps_domain_words_whole():
    words = segment(normalize("刷卡提示请重新签到，操作员签到后主密钥MAC校验错"))
    assert {"重新签到", "操作员签到", "主密钥", "mac校验错"} <= set(words)


@pytest.mark.parametrize(("text", "word"), [("签到失败", "签到"), ("主密钥", "密钥"), ("网络不通", "网络")])
def test_it_also_emits_the_two_character_words_inside_longer_words(text, word):
    assert word in analyze(text)


def test_it_finds_longer_dictionary_words_inside_a_phrase():
    assert "重新签到" in analyze("请重新签到")


def test_a_word_mixing_letters_and_chinese_also_yields_the_letters():
    assert "pos" in analyze("POS机")


def test_it_drops_stop_words():
    assert analyze("我的POS机怎么了") == ["pos机", "pos"]


def test_it_stems_english_plurals_and_ing():
    assert analyze("receipts printing") == ["receipt", "print"]


def test_a_query_runs_the_same_pipeline_as_indexing():
    assert parse_query("簽到失敗").words == analyze("签到失败")


def test_synonyms_work_both_ways_and_across_languages():
    synonyms = Synonyms.from_term_lists([["没网", "No network", "網絡不通"]])
    assert synonyms.expand(normalize("突然没网了")) == ["没网", "no network", "网络不通"]
    assert "没网" in synonyms.expand(normalize("no network since morning"))


def test_an_english_synonym_must_match_whole_words():
    synonyms = Synonyms.from_term_lists([["sign on", "签到"]])
    assert synonyms.expand("sign only") == []


def test_a_synonym_becomes_an_alternative_clause_of_the_query():
    synonyms = Synonyms.from_term_lists([["打印机", "printer"]])
    assert Clause(("printer",)) in parse_query("打印机坏了", synonyms=synonyms).clauses


def test_pinyin_covers_full_syllables_and_initials():
    tokens = pinyin("签到失败")
    assert {"qiandao", "qd", "qiandaoshibai", "qdsb"} <= set(tokens)


def test_pinyin_runs_do_not_cross_punctuation():
    assert "qiandaofanhuima" not in pinyin("签到, 返回码")


def test_pinyin_typed_with_spaces_is_also_looked_up_joined():
    assert Clause(("qiandao",)) in parse_query("qian dao").clauses


def test_the_last_word_is_also_a_prefix_while_typing():
    assert Clause(("printe",), prefix=True) in parse_query("printe").clauses


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("A0", ["A0"]),
        ("a0", ["A0"]),
        ("应答码A0", ["A0"]),
        ("返回码 77", ["77"]),
        ("错误码99", ["99"]),
        ("error 99", ["99"]),
        ("Ａ０", ["A0"]),
        ("刷卡提示a0错误", ["A0"]),
        ("交易失败 98 怎么办", ["98"]),
        ("交易显示05是啥意思", ["05"]),
        ("刷卡老是提示51怎么办", ["51"]),
        ("why does it say 51", ["51"]),
        ("刷卡跳出个A0咋回事", ["A0"]),
    ],
)
def test_it_spots_response_codes(query, codes):
    assert code_candidates(normalize(query)) == codes


@pytest.mark.parametrize("query", ["等了90秒还没反应", "下午12点刷不了卡", "waited 30 seconds", "PAX A920 死机"])
def test_a_quantity_or_a_model_number_is_not_a_code(query):
    assert code_candidates(normalize(query)) == []


def test_a_letter_o_typed_for_zero_is_offered_as_the_code():
    assert code_lookalikes(normalize("AO")) == ["A0"]


def test_one_edit_covers_a_swapped_pair_of_letters():
    assert "printer" in edits1("printre")


# --- Query plan (which clauses pick the candidates on a large index) --------------------------------


def _query(words, *, expansions=()):
    query = ParsedQuery(raw="", normalized=" ".join(words), words=list(words))
    for word in words:
        query.add(Clause((word,)))
    for tokens in expansions:
        query.add(Clause(tokens))
        query.expansions.add(Clause(tokens))
    return query


@pytest.fixture
def large_index(monkeypatch):
    monkeypatch.setattr(planning, "entry_count", lambda: 100_000)


def test_on_a_small_index_every_known_clause_picks_candidates(monkeypatch):
    monkeypatch.setattr(planning, "entry_count", lambda: 120)
    query = _query(["签到", "失败"], expansions=[("sign", "on")])
    plan, window = planning.plan(query, {"签到": 80, "失败": 60, "sign": 40, "on": 40})
    assert (len(plan.clauses), window) == (3, None)


def test_words_missing_from_the_index_are_dropped(monkeypatch):
    monkeypatch.setattr(planning, "entry_count", lambda: 120)
    plan, _window = planning.plan(_query(["签到", "量子"]), {"签到": 80})
    assert plan.clauses == [Clause(("签到",))]


@pytest.mark.usefixtures("large_index")
def test_on_a_large_index_the_rarest_typed_words_come_first_within_the_budget():
    query = _query(["签到", "日切", "结算"], expansions=[("day", "cutover")])
    counts = {"签到": 60_000, "日切": 300, "结算": 900, "day": 5_000, "cutover": 200}
    plan, window = planning.plan(query, counts)
    assert window is None
    assert plan.clauses == [Clause(("日切",)), Clause(("结算",)), Clause(("day", "cutover"))]


@pytest.mark.usefixtures("large_index")
def test_when_every_typed_word_is_common_a_window_of_the_newest_matches_is_ranked_without_synonyms():
    query = _query(["签到"], expansions=[("未签到",)])
    plan, window = planning.plan(query, {"签到": 60_000, "未签到": 40})
    assert window == planning.STREAM_WINDOW
    assert plan.clauses == [Clause(("签到",))]


def test_pinyin_runs_keep_stop_words_inside_but_not_alone():
    tokens = pinyin("刷卡没反应")
    assert "meifany" in tokens  # 没反应, "fanying" stemmed like every letters-only word
    assert "mei" not in tokens


def test_a_short_line_also_gives_its_whole_pinyin():
    assert "shuakameifany" in pinyin("刷卡没反应")


def test_a_single_character_alone_gives_no_pinyin():
    assert "zhang" not in pinyin("对不上账")


def test_a_compound_counts_once_with_its_parts():
    assert ("pos机", "pos") in parse_query("POS机签到").units


def test_brands_model_numbers_and_the_word_for_the_terminal_are_searched_but_not_weighed():
    query = parse_query("拉卡拉POS机A920签到失败")
    assert {"拉卡拉", "pos机", "a920"} <= query.ignored
    assert Clause(("拉卡拉",)) in query.clauses
    assert "签到" not in query.ignored


def test_a_synonym_clause_remembers_the_words_it_stands_for():
    synonyms = Synonyms.from_term_lists([["罢工", "死机"]])
    query = parse_query("机器罢工", synonyms=synonyms)
    assert query.stands_for[Clause(("死机",))] == {"罢工"}


def test_other_names_for_the_terminal_add_no_synonyms():
    synonyms = Synonyms.from_term_lists([["POS机", "刷卡机"]])
    assert Clause(("刷卡机",)) not in parse_query("POS机签到", synonyms=synonyms).clauses


def test_in_is_a_stop_word_so_sign_in_is_about_signing():
    assert analyze("sign in") == ["sign"]


def test_chinese_filler_typed_as_pinyin_is_a_stop_word_too():
    assert analyze("刷卡tishi重新签到") == analyze("刷卡重新签到")


def test_the_pinyin_stop_words_are_those_of_the_chinese_stop_words():
    from pypinyin import lazy_pinyin

    from kb.search.pipeline import PINYIN_STOP_WORDS, STOP_WORDS, has_cjk

    expected = {"".join(lazy_pinyin(w)) for w in STOP_WORDS if has_cjk(w) and len(w) >= 2}
    assert expected == PINYIN_STOP_WORDS


def test_every_chinese_stop_word_is_cut_whole_so_the_stop_list_sees_it():
    # "老是" cut as 老/是 left "老" in "签到老是不成功", between 签到 and 不成功.
    from kb.search.pipeline import STOP_WORDS, _segmenter, has_cjk

    cut = {w: list(_segmenter().cut(f"签到{w}失败", False)) for w in STOP_WORDS if has_cjk(w) and len(w) >= 2}
    assert {w: words for w, words in cut.items() if w not in words} == {}


@pytest.mark.parametrize(
    ("query", "core"),
    [
        ("签到老是不成功", "签到不成功"),
        ("sign on keeps failing", "sign on failing"),
        ("客人卡上没钱了", "客人卡上没钱"),
    ],
)
def test_filler_leaves_negations_and_drops_stop_words_as_stemmed(query, core):
    from kb.search.pipeline import without_filler

    assert without_filler(normalize(query)) == core


def test_a_word_after_bu_is_negated_so_a_page_saying_the_word_does_not_cover_it():
    # "签到老是不成功" found the page titled "签到成功后又要求签到" first: its 成功 said the opposite.
    assert parse_query("签到老是不成功").negated == {"成功"}
    assert parse_query("签到成功了").negated == set()


@pytest.mark.parametrize(
    ("typed", "joined"),
    [
        ("结不了账", "结账不了"),
        ("怎么都签不了到", "怎么都签到不了"),
        ("上不了线", "上线不了"),
        ("终端联不了网", "终端联网不了"),
    ],
)
def test_a_verb_split_by_its_complement_is_joined_again(typed, joined):
    assert rejoin_split_verbs(normalize(typed)) == joined


def test_a_split_verb_the_dictionary_knows_whole_stays_as_typed():
    assert rejoin_split_verbs("开不了机") == "开不了机"


def test_the_words_of_a_split_verb_are_the_joined_verb():
    assert "结账" in parse_query("结不了账").words
    assert "结" not in parse_query("结不了账").words


@pytest.mark.parametrize(
    ("typed", "screen"),
    [
        ("早上开机刷第一笔卡就提示请重新签到，怎么办？", "请重新签到"),
        ("刷卡显示商户未登记", "商户未登记"),
        ("显示余额不足了", "余额不足"),
        ("签到不成功", ""),
    ],
)
def test_the_screen_text_a_query_quotes_after_tishi_or_xianshi(typed, screen):
    assert screen_text(normalize(typed)) == screen


def test_a_combination_says_its_group_when_both_parts_are_typed_in_any_order():
    synonyms = Synonyms.from_groups(
        [
            ("fails", ["失败", "不行", "not working", "fail"]),
            ("sign-on-fails", ["签到失败", "sign on failed", "签到 + @fails", "sign on + @fails"]),
            ("down", ["死机", "not working"]),
        ]
    )
    said = {terms[0]: found for terms, found in synonyms.matches(normalize("签到不行"))}
    assert said == {"签到失败": ["签到", "不行"]}
    said = {terms[0]: found for terms, found in synonyms.matches(normalize("not working sign on"))}
    # The combination reaches over "not working": the terminal being down is not what is meant.
    assert list(said) == ["签到失败"]
    assert {terms[0] for terms, _found in synonyms.matches(normalize("签到"))} == set()


def test_a_combination_naming_no_group_or_missing_a_part_says_nothing():
    synonyms = Synonyms.from_groups([("sign-on-fails", ["签到失败", "sign on failed", "签到 + @nothing"])])
    assert synonyms.matches(normalize("签到不行")) == []


def test_the_mobile_network_generation_is_no_response_code():
    assert code_candidates(normalize("4g卡到期了")) == []
    assert code_candidates(normalize("5G信号差")) == []
    assert code_candidates(normalize("返回码 a0")) == ["A0"]


def test_a_chinese_synonym_typed_in_pinyin_says_its_group():
    synonyms = Synonyms.from_groups(
        [("fails", ["签到失败", "sign on failed"]), ("again", ["重新签到", "sign on again"])]
    )
    said = {terms[0] for terms, _found in synonyms.matches(normalize("qian dao shi bai"))}
    assert said == {"签到失败"}
    assert {terms[0] for terms, _found in synonyms.matches(normalize("qdsb"))} == {"签到失败"}
    # 重 is read chong here: every reading of a character is tried.
    assert {terms[0] for terms, _found in synonyms.matches(normalize("chongxin qiandao"))} == {"重新签到"}
    assert synonyms.matches(normalize("sign")) == []


def test_pinyin_tone_marks_and_accents_are_dropped_but_hangul_stays_whole():
    assert normalize("chōng zhèng shī bài") == "chong zheng shi bai"
    assert normalize("Café lǘ 한국어") == "cafe lu 한국어"


@pytest.mark.parametrize(
    ("typed", "left"),
    [
        ("sign on not working although wifi is fine", "sign on not working although"),
        ("网络好好的就是签不了到", "就是签不了到"),
        ("网络正常 打印机没问题 签到失败", "签到失败"),
        ("wifi is fine", "wifi is fine"),  # nothing else was said: kept
        ("printer not working", "printer not working"),
    ],
)
def test_what_the_merchant_says_works_is_left_out_of_the_query(typed, left):
    assert without_what_works(normalize(typed)) == left


def test_chinese_mixed_with_pinyin_is_spelled_all_in_pinyin_with_every_reading():
    from kb.search.readings import spoken

    assert "qiandaoshibai" in spoken("qiandao失败")
    assert "yuebuzu" in spoken("yu额不足")
    assert {"chongxinqiandao", "zhongxinqiandao"} <= set(spoken("重新qiandao"))
    assert spoken("签到77") == []  # a digit has no pinyin
