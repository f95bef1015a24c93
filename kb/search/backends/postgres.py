"""PostgreSQL full text: tsvectors built from the segmented fields with the `simple` configuration (no
stemming or stop words of its own: the pipeline already did that), each with a GIN index: `vector` for the
whole page and `head` for everything but the body, which is matched and ranked first."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Subquery

from kb.search.models import SearchEntry
from kb.search.pipeline import ParsedQuery

CONFIG = "simple"

# Weight classes: A title, symptoms, codes; B tags, summary; C body; D pinyin of titles and tags.
HEAD = (
    SearchVector("title_tokens", "symptoms_tokens", "codes_tokens", weight="A", config=CONFIG)
    + SearchVector("tags_tokens", "summary_tokens", weight="B", config=CONFIG)
    + SearchVector("pinyin_tokens", weight="D", config=CONFIG)
)
VECTOR = HEAD + SearchVector("body_tokens", weight="C", config=CONFIG)
GIN_INDEXES = {"kb_searchentry_vector_gin": "vector", "kb_searchentry_head_gin": "head"}
# Fewer head matches than this and pages matching only in their body are looked up too.
BODY_FALLBACK = 10
# ts_rank's weights are given as [D, C, B, A].
RANK_WEIGHTS = [0.3, 0.1, 0.45, 1.0]
# ts_rank divided by 1 + log(the page's distinct words), as bm25 weighs length on SQLite: without it a page
# that repeats a word ("签到" three times in one title) outranks the page about it. Measured on three relevance
# sets (bench/search_relevance.py): 0.984/0.951/0.913 without, 0.978/0.957/0.930 with.
RANK_NORMALIZATION = 16


def _lexeme(token: str, prefix: bool) -> str:
    return "'" + token.replace("'", "").replace("\\", "") + "'" + (":*" if prefix else "")


def tsquery_expression(query: ParsedQuery) -> str:
    clauses = []
    for clause in query.clauses:
        last = len(clause.tokens) - 1
        parts = [_lexeme(t, clause.prefix and i == last) for i, t in enumerate(clause.tokens)]
        clauses.append(parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")")
    return " | ".join(clauses)


class PostgresBackend:
    vendor = "postgresql"

    def entries_written(self, ids: list[int]) -> None:
        if ids:
            SearchEntry.objects.filter(pk__in=ids).update(vector=VECTOR, head=HEAD)

    def match(
        self, query: ParsedQuery, *, language: str, limit: int, window: int | None = None
    ) -> list[tuple[int, float]]:
        """Pages matching in their title, symptoms, codes, tags or summary come first, ranked on the small
        `head` vector; only when there are fewer than BODY_FALLBACK of them do body-only matches follow."""
        if query.is_empty:
            return []
        tsquery = SearchQuery(tsquery_expression(query), search_type="raw", config=CONFIG)
        found = self._ranked("head", tsquery, language=language, limit=limit, window=window)
        if len(found) < BODY_FALLBACK:
            seen = {pk for pk, _score in found}
            more = self._ranked("vector", tsquery, language=language, limit=limit + len(found), window=window)
            # Below every head match: scaled under the lowest head score.
            floor = min((score for _pk, score in found), default=1.0)
            found += [(pk, floor * score / 2) for pk, score in more if pk not in seen][: limit - len(found)]
        return found

    def _ranked(self, field: str, tsquery, *, language: str, limit: int, window: int | None) -> list:
        matching = SearchEntry.objects.filter(language=language, **{field: tsquery})
        if window:
            # Newest first by primary key: on dense matches PostgreSQL walks the key index and stops early.
            matching = SearchEntry.objects.filter(pk__in=Subquery(matching.order_by("-pk").values("pk")[:window]))
        rows = (
            matching.annotate(
                score=SearchRank(F(field), tsquery, weights=RANK_WEIGHTS, normalization=RANK_NORMALIZATION)
            )
            .order_by("-score", "pk")
            .values_list("pk", "score")[:limit]
        )
        return list(rows)

    def rebuild(self) -> None:
        install()
        SearchEntry.objects.update(vector=VECTOR, head=HEAD)


def install(apps=None, schema_editor=None) -> None:
    """Migration step: the GIN indexes, on PostgreSQL only (SQLite has no GIN and uses FTS5 instead)."""
    conn = schema_editor.connection if schema_editor else connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        columns = {c.name for c in conn.introspection.get_table_description(cursor, "kb_searchentry")}
        for name, column in GIN_INDEXES.items():
            # An earlier migration runs this before later ones add the column: each adds its own index.
            if column not in columns:
                continue
            # Checked first: CREATE INDEX, even IF NOT EXISTS, fails inside a transaction that has pending
            # foreign-key checks (as index_rebuild has after deleting the old entries).
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE INDEX {name} ON kb_searchentry USING gin ({column})")


def uninstall(apps=None, schema_editor=None) -> None:
    conn = schema_editor.connection if schema_editor else connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        for name in GIN_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
