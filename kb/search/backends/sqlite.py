"""SQLite FTS5: an external-content FTS table over kb_searchentry, kept in step by triggers.

The pipeline has already segmented the text into space-separated words, so the unicode61 tokenizer only
has to split on spaces; bm25() ranks with per-column weights.
"""

from django.db import connection

from kb.search.backends.base import FIELD_WEIGHTS
from kb.search.models import TOKEN_FIELDS
from kb.search.pipeline import ParsedQuery

TABLE = "kb_search_fts"
ENTRY_TABLE = "kb_searchentry"
# `language` is indexed too ("zh hans" / "en") so the language filter runs inside the FTS index.
COLUMNS = (*TOKEN_FIELDS, "language")
TRIGGERS = ("kb_searchentry_fts_insert", "kb_searchentry_fts_delete", "kb_searchentry_fts_update")


def _values(prefix: str) -> str:
    return ", ".join(f"{prefix}.{c}" for c in COLUMNS)


# Every name interpolated into SQL below is a constant of this module; user input only ever reaches
# SQLite as a bound parameter (the MATCH expression).
# ruff: noqa: S608


def install_sql() -> list[str]:
    """The FTS table and its triggers; idempotent. The triggers also run for Django's flush and for
    rows deleted by a cascade, so the index cannot keep entries the table no longer has."""
    cols = ", ".join(COLUMNS)
    # Rebuilding kb_searchentry in a future migration drops these triggers: run `kb_reindex` afterwards.
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5({cols}, content='{ENTRY_TABLE}', "
        f"content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
        f"CREATE TRIGGER IF NOT EXISTS {TRIGGERS[0]} AFTER INSERT ON {ENTRY_TABLE} BEGIN "
        f"INSERT INTO {TABLE}(rowid, {cols}) VALUES (new.id, {_values('new')}); END",
        f"CREATE TRIGGER IF NOT EXISTS {TRIGGERS[1]} AFTER DELETE ON {ENTRY_TABLE} BEGIN "
        f"INSERT INTO {TABLE}({TABLE}, rowid, {cols}) VALUES ('delete', old.id, {_values('old')}); END",
        f"CREATE TRIGGER IF NOT EXISTS {TRIGGERS[2]} AFTER UPDATE OF {cols} ON {ENTRY_TABLE} BEGIN "
        f"INSERT INTO {TABLE}({TABLE}, rowid, {cols}) VALUES ('delete', old.id, {_values('old')}); "
        f"INSERT INTO {TABLE}(rowid, {cols}) VALUES (new.id, {_values('new')}); END",
    ]


def uninstall_sql() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS] + [f"DROP TABLE IF EXISTS {TABLE}"]


def _phrase(token: str, prefix: bool) -> str:
    # Tokens are letters and digits only (the pipeline turned everything else into spaces); quoting
    # keeps FTS5 from reading words such as "and", "or", "not" or "near" as operators.
    return '"' + token.replace('"', "") + '"' + ("*" if prefix else "")


def fts_expression(query: ParsedQuery) -> str:
    clauses = []
    for clause in query.clauses:
        last = len(clause.tokens) - 1
        parts = [_phrase(t, clause.prefix and i == last) for i, t in enumerate(clause.tokens)]
        clauses.append(parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")")
    return " OR ".join(clauses)


def _language_filter(language: str) -> str:
    return 'language : "zh hans"' if language.startswith("zh") else 'language : "en"'


class SqliteBackend:
    vendor = "sqlite"

    def entries_written(self, ids: list[int]) -> None:
        return None  # the triggers did it

    def match(
        self, query: ParsedQuery, *, language: str, limit: int, window: int | None = None
    ) -> list[tuple[int, float]]:
        if query.is_empty:
            return []
        weights = ", ".join(str(FIELD_WEIGHTS[f]) for f in TOKEN_FIELDS) + ", 0.0"
        expression = f"{_language_filter(language)} AND ({fts_expression(query)})"
        params: list = [expression]
        newest = ""
        if window:
            # FTS5 walks matches in rowid order and stops after `window`; bm25 then ranks only those.
            newest = (
                f" AND rowid >= coalesce((SELECT min(rowid) FROM (SELECT rowid FROM {TABLE} "
                f"WHERE {TABLE} MATCH %s ORDER BY rowid DESC LIMIT %s)), 0)"
            )
            params += [expression, window]
        sql = (
            f"SELECT rowid, -bm25({TABLE}, {weights}) AS score FROM {TABLE} "
            f"WHERE {TABLE} MATCH %s{newest} ORDER BY score DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit])
            return [(row[0], row[1]) for row in cursor.fetchall()]

    def rebuild(self) -> None:
        with connection.cursor() as cursor:
            for statement in install_sql():
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")


def install(apps=None, schema_editor=None) -> None:
    """Migration step: create the FTS table and triggers, on SQLite only."""
    conn = schema_editor.connection if schema_editor else connection
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        for statement in install_sql():
            cursor.execute(statement)


def uninstall(apps=None, schema_editor=None) -> None:
    conn = schema_editor.connection if schema_editor else connection
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        for statement in uninstall_sql():
            cursor.execute(statement)
