"""PostgreSQL full text: a tsvector built from the segmented fields with the `simple` configuration
(no stemming or stop words of its own: the pipeline already did that) and a GIN index."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F

from kb.search.models import SearchEntry
from kb.search.pipeline import ParsedQuery

CONFIG = "simple"
GIN_INDEX = "kb_searchentry_vector_gin"

# Weight classes: A title, symptoms, codes; B tags, summary; C body; D pinyin of titles and tags.
VECTOR = (
    SearchVector("title_tokens", "symptoms_tokens", "codes_tokens", weight="A", config=CONFIG)
    + SearchVector("tags_tokens", "summary_tokens", weight="B", config=CONFIG)
    + SearchVector("body_tokens", weight="C", config=CONFIG)
    + SearchVector("pinyin_tokens", weight="D", config=CONFIG)
)
# ts_rank's weights are given as [D, C, B, A].
RANK_WEIGHTS = [0.3, 0.1, 0.45, 1.0]


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
            SearchEntry.objects.filter(pk__in=ids).update(vector=VECTOR)

    def match(self, query: ParsedQuery, *, language: str, limit: int) -> list[tuple[int, float]]:
        if query.is_empty:
            return []
        tsquery = SearchQuery(tsquery_expression(query), search_type="raw", config=CONFIG)
        rows = (
            SearchEntry.objects.filter(language=language, vector=tsquery)
            .annotate(score=SearchRank(F("vector"), tsquery, weights=RANK_WEIGHTS))
            .order_by("-score", "pk")
            .values_list("pk", "score")[:limit]
        )
        return list(rows)

    def rebuild(self) -> None:
        install()
        SearchEntry.objects.update(vector=VECTOR)


def install(apps=None, schema_editor=None) -> None:
    """Migration step: the GIN index, on PostgreSQL only (SQLite has no GIN and uses FTS5 instead)."""
    conn = schema_editor.connection if schema_editor else connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        # Checked first: CREATE INDEX, even IF NOT EXISTS, fails inside a transaction that has pending
        # foreign-key checks (as index_rebuild has after deleting the old entries).
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [GIN_INDEX])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE INDEX {GIN_INDEX} ON kb_searchentry USING gin (vector)")


def uninstall(apps=None, schema_editor=None) -> None:
    conn = schema_editor.connection if schema_editor else connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
