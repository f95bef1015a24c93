"""Symptom search, as a library: callers hand it documents and ask it queries. This module is its public
face (docs/search.md): the rest of the portal imports nothing else from kb.search, except kb itself, which
registers the library's models and admin (kb/models.py, kb/admin.py) and freezes its backends' SQL in
migrations. tests/test_architecture.py holds both rules.

Search knows nothing of the knowledge base: kb builds a `Document` per page and language (kind, key,
language, title, body, symptoms, tags, codes, url) and indexes it inside its own transactions, and kb's
views call `search` and record what was shown and opened. It imports nothing from the site either: the
generation store its version lives in is handed to it (`use_generations`), and the search log keeps what
it is given, so callers mask queries before searching (kb.search_views does).
"""

from datetime import timedelta

from django.utils import timezone

from kb.search.analytics import search_analytics
from kb.search.documents import ARTICLE, CODE, Document, plain_text
from kb.search.models import SearchLog
from kb.search.pipeline import has_cjk, normalize, segment
from kb.search.planning import codes_read
from kb.search.selectors import MAX_QUERY_LENGTH, Hit, SearchResult, alternatives, search
from kb.search.services import (
    entries_bulk_load,
    entry_index,
    entry_unindex,
    index_rebuild,
    search_log_flush,
    search_log_open,
    search_log_prune,
    search_log_record,
    synonym_save,
    synonym_terms_digest,
)
from kb.search.version import Generations, use_generations
from kb.search.version import current as version


def index(document: Document) -> None:
    """Add or replace a page in the index (same kind, key and language)."""
    entry_index(document=document)


def unindex(*, kind: str, key: str, language: str | None = None) -> None:
    """Remove a page, in one language or in all of them."""
    entry_unindex(kind=kind, key=key, language=language)


def index_many(documents) -> int:
    """Insert many pages not yet indexed at once (bulk loads, the benchmark); returns how many."""
    return entries_bulk_load(documents)


def reindex_all(documents) -> int:
    """Replace the whole index with these documents; returns how many were indexed."""
    return index_rebuild(documents=documents)


def log_search(*, query: str, result: SearchResult, source: str) -> str:
    """Record a search and the result URLs shown, in rank order, stored in bulk after responses
    (`flush_log`); returns the key that names it in `open_logged`.

    The log keeps the query as given and the normalized form `result` was searched with: mask the query
    before calling `search` (a card number must never reach the log) and pass that same masked text here."""
    return search_log_record(
        query=query,
        normalized=result.query.normalized,
        language=result.language,
        source=source,
        result_urls=[hit.url for hit in result.hits],
    )


def open_logged(*, key: str, position: int) -> None:
    """Record that result `position` (1 = first) of a logged search was opened."""
    search_log_open(key=key, position=position)


def prune_log(*, older_than: timedelta) -> int:
    """Delete the search records older than `older_than` (analytics keep what they need, not everything
    ever typed); returns how many went."""
    return search_log_prune(before=timezone.now() - older_than)


def flush_log(**signal) -> int:
    """Store the search log this process has recorded: at once, or when due if sent by request_finished
    (kb/apps.py). Returns how many records were stored."""
    return search_log_flush(only_if_due="signal" in signal)


__all__ = [
    "ARTICLE",
    "CODE",
    "MAX_QUERY_LENGTH",
    "Document",
    "Generations",
    "Hit",
    "SearchLog",
    "SearchResult",
    "alternatives",
    "codes_read",
    "flush_log",
    "has_cjk",
    "index",
    "index_many",
    "log_search",
    "normalize",
    "open_logged",
    "plain_text",
    "prune_log",
    "reindex_all",
    "search",
    "search_analytics",
    "segment",
    "synonym_save",
    "synonym_terms_digest",
    "unindex",
    "use_generations",
    "version",
]
