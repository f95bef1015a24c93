"""Both backends rank the same way; each has its own index structures (tests marked for its database)."""

import re

import pytest
from django.db import connection

from kb.search.backends import get_backend
from kb.search.models import SearchEntry
from kb.search.pipeline import Clause, ParsedQuery, parse_query
from tests.kb.search_helpers import keys, make_article

pytestmark = pytest.mark.django_db


# --- Both databases ----------------------------------------------------------------------------


def test_the_backend_is_the_one_for_the_database_in_use():
    assert get_backend().vendor == connection.vendor


def test_a_title_match_outranks_a_body_match():
    make_article(slug="in-body", title="收银台日常", body="斑马牌终端偶尔死机。" * 3)
    make_article(slug="in-title", title="斑马牌终端死机", body="重启即可。")
    assert keys("斑马") == ["in-title", "in-body"]


def test_a_symptom_match_outranks_a_body_match():
    make_article(slug="in-body", title="收银台日常", body="屏幕出现长颈鹿图案。")
    make_article(slug="in-symptoms", title="屏幕异常", body="重启即可。", symptoms="长颈鹿图案")
    assert keys("长颈鹿") == ["in-symptoms", "in-body"]


def test_only_the_requested_language_is_searched():
    make_article(slug="zebra-zh", title="斑马 zebra 终端")
    make_article(slug="zebra-en", title="Zebra terminal", language="en")
    assert keys("zebra", language="en") == ["zebra-en"]
    assert keys("zebra", language="zh-hans") == ["zebra-zh"]


def test_a_page_matching_more_query_words_ranks_higher():
    make_article(slug="one-word", title="斑马终端")
    make_article(slug="two-words", title="斑马终端长颈鹿")
    assert keys("斑马 长颈鹿")[0] == "two-words"


def test_a_prefix_clause_matches_longer_words():
    make_article(slug="zebra-en", title="Zebrafish terminal", language="en")
    query = ParsedQuery(raw="zebraf", normalized="zebraf", words=[], clauses=[Clause(("zebraf",), prefix=True)])
    matches = get_backend().match(query, language="en", limit=5)
    assert [SearchEntry.objects.get(pk=pk).key for pk, _score in matches] == ["zebra-en"]


def test_all_words_of_a_multi_word_clause_must_match():
    make_article(slug="both", title="Zebra giraffe", language="en")
    make_article(slug="one", title="Zebra only", language="en")
    query = ParsedQuery(raw="", normalized="", words=[], clauses=[Clause(("zebra", "giraffe"))])
    matches = get_backend().match(query, language="en", limit=5)
    assert [SearchEntry.objects.get(pk=pk).key for pk, _score in matches] == ["both"]


@pytest.mark.parametrize("query", ['and or not near "quoted" (x) * ^ - :', "it's o'clock \\ ", "NEAR(a b)"])
def test_query_syntax_characters_are_treated_as_text(query):
    # The operator words of these queries are words of this title: searched as text, they find it first;
    # read as operators, they would fail or find something else.
    make_article(slug="operator-words", title="Near the clock, it is not quoted: a or b", language="en")
    make_article(slug="zebra-en", title="Zebra", language="en")
    matches = get_backend().match(parse_query(query), language="en", limit=50)
    found = [SearchEntry.objects.get(pk=pk).key for pk, _score in matches]
    # The shipped knowledge base may be indexed as well (it has a page about a wrong clock): compare this test's pages.
    assert [key for key in found if key in {"operator-words", "zebra-en"}][:1] == ["operator-words"]


# --- SQLite: FTS5 ------------------------------------------------------------------------------


def _sqlite_objects():
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE name LIKE 'kb_search%'")
        return set(cursor.fetchall())


def _fts_rows(term: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM kb_search_fts WHERE kb_search_fts MATCH %s", [f'"{term}"'])
        return cursor.fetchone()[0]


@pytest.mark.sqlite
def test_migrations_create_the_fts_table_and_its_triggers():
    objects = _sqlite_objects()
    assert ("table", "kb_search_fts") in objects
    assert {("trigger", n) for n in ("kb_searchentry_fts_insert", "kb_searchentry_fts_delete")} <= objects


@pytest.mark.sqlite
def test_the_fts_index_follows_a_cascade_delete():
    article = make_article(slug="zebra", title="斑马牌终端死机")
    assert _fts_rows("斑马") == 1
    type(article).objects.filter(pk=article.pk).delete()
    assert _fts_rows("斑马") == 0


@pytest.mark.sqlite
def test_the_fts_index_follows_an_edit():
    article = make_article(slug="zebra", title="斑马牌终端死机")
    SearchEntry.objects.filter(kind="article", key=article.slug).update(title_tokens="长颈鹿")
    assert (_fts_rows("斑马"), _fts_rows("长颈鹿")) == (0, 1)


@pytest.mark.sqlite
def test_rebuild_reinstalls_lost_triggers():
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER kb_searchentry_fts_insert")
    get_backend().rebuild()
    make_article(slug="zebra", title="斑马牌终端死机")
    assert keys("斑马") == ["zebra"]


# --- PostgreSQL: tsvector + GIN ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("index", "column"), [("kb_searchentry_vector_gin", "vector"), ("kb_searchentry_head_gin", "head")]
)
def test_migrations_create_the_gin_indexes(index, column):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
        (definition,) = cursor.fetchone()
    assert f"USING gin ({column})" in definition


@pytest.mark.postgres
def test_a_head_match_ranks_above_a_body_only_match():
    make_article(slug="in-body", title="收银台日常", body="斑马牌终端偶尔死机。" * 20)
    make_article(slug="in-summary", title="屏幕异常", body="重启即可。", summary="斑马")
    assert keys("斑马") == ["in-summary", "in-body"]


@pytest.mark.postgres
def test_the_head_vector_leaves_out_the_body():
    article = make_article(slug="zebra", title="斑马", body="长颈鹿")
    head = SearchEntry.objects.values_list("head", flat=True).get(kind="article", key=article.slug)
    assert "斑马" in head
    assert "长颈鹿" not in head


@pytest.mark.postgres
def test_the_vector_weighs_title_above_body():
    article = make_article(slug="zebra", title="斑马", body="长颈鹿")
    vector = SearchEntry.objects.values_list("vector", flat=True).get(kind="article", key=article.slug)
    assert re.search(r"'斑马':\d+A", vector)
    assert re.search(r"'长颈鹿':\d+C", vector)


@pytest.mark.postgres
def test_the_vector_is_rebuilt_when_the_article_changes():
    from tests.kb.search_helpers import update_article

    article = make_article(slug="zebra", title="斑马")
    update_article(article, title="长颈鹿")
    vector = SearchEntry.objects.values_list("vector", flat=True).get(kind="article", key=article.slug)
    assert "斑马" not in vector
    assert "长颈鹿" in vector


@pytest.mark.postgres
def test_the_search_uses_the_gin_index():
    # With the sequential scan off, a plan without the index means the query cannot use it.
    from kb.search.backends.postgres import CONFIG

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM kb_searchentry WHERE vector @@ to_tsquery(%s::regconfig, %s)", [CONFIG, "'x'"]
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "kb_searchentry_vector_gin" in plan


def test_a_window_ranks_only_the_newest_matches():
    make_article(slug="older", title="Zebra zebra zebra", language="en")
    make_article(slug="newer", title="Zebra terminal", language="en")
    query = ParsedQuery(raw="", normalized="zebra", words=["zebra"], clauses=[Clause(("zebra",))])
    matches = get_backend().match(query, language="en", limit=5, window=1)
    assert [SearchEntry.objects.get(pk=pk).key for pk, _score in matches] == ["newer"]
