"""Writes for search: index entries, synonyms and the search log. Callers (kb.services) index documents
inside their own transactions, so a page and its entry change together or not at all."""

import hashlib
import json
import logging
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.search.backends import get_backend
from kb.search.documents import Document, entry_fields
from kb.search.models import TOKEN_FIELDS, SearchEntry, SearchLog, SearchTerm, Synonym
from kb.search.pipeline import normalize
from kb.search.synonym_groups import COMBINES, GROUP_MARK, combination_parts
from kb.search.synonyms import synonyms_changed
from kb.search.version import index_changed

MAX_TERM = 100
logger = logging.getLogger(__name__)


# --- Index entries -----------------------------------------------------------------------------


def _vocabulary(fields: dict) -> set[str]:
    """Every distinct indexed word of an entry. Their entry counts let a query skip words nobody uses,
    start from its rarest words on a large index, and offer spelling corrections."""
    words: set[str] = set()
    for name in TOKEN_FIELDS:
        words.update(w for w in fields.get(name, "").split() if len(w) <= MAX_TERM)
    return words


def _count_terms(*, added: Iterable[str], removed: Iterable[str]) -> None:
    added, removed = set(added), set(removed)
    if added:
        SearchTerm.objects.bulk_create([SearchTerm(term=t) for t in sorted(added)], ignore_conflicts=True)
        SearchTerm.objects.filter(term__in=added).update(entries=F("entries") + 1)
    if removed:
        SearchTerm.objects.filter(term__in=removed).update(entries=Greatest(F("entries") - 1, 0))
        SearchTerm.objects.filter(term__in=removed, entries=0).delete()


def _entry_save(lookup: dict, fields: dict) -> SearchEntry:
    entry = SearchEntry.objects.select_for_update().filter(**lookup).first()
    old_words = _vocabulary(entry.token_fields()) if entry else set()
    entry = entry or SearchEntry(**lookup)
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.save()
    new_words = _vocabulary(fields)
    _count_terms(added=new_words - old_words, removed=old_words - new_words)
    get_backend().entries_written([entry.pk])
    index_changed()
    return entry


def _entries_delete(queryset) -> int:
    removed: Counter = Counter()
    for entry in queryset.select_for_update():
        removed.update(_vocabulary(entry.token_fields()))
    count, _detail = queryset.delete()
    index_changed()
    if removed:
        # One decrement per entry that had the word.
        for times in sorted(set(removed.values())):
            words = [w for w, n in removed.items() if n == times]
            SearchTerm.objects.filter(term__in=words).update(entries=Greatest(F("entries") - times, 0))
        SearchTerm.objects.filter(term__in=list(removed), entries=0).delete()
    return count


@transaction.atomic
def entry_index(*, document: Document) -> SearchEntry:
    """Add or replace the entry for a document (same kind, key and language)."""
    lookup = {"kind": document.kind, "key": document.key, "language": document.language}
    return _entry_save(lookup, entry_fields(document))


@transaction.atomic
def entry_unindex(*, kind: str, key: str, language: str | None = None) -> int:
    """Remove a page's entries: in one language, or in all of them."""
    entries = SearchEntry.objects.filter(kind=kind, key=key)
    if language is not None:
        entries = entries.filter(language=language)
    return _entries_delete(entries)


def entries_bulk_load(documents: Iterable[Document], *, batch_size: int = 2000) -> int:
    """Insert many entries at once, for pages not yet indexed. Used by `index_rebuild` and the benchmark:
    one statement per batch instead of one service call per page."""
    backend = get_backend()
    vocabulary: Counter = Counter()
    batch: list[SearchEntry] = []
    total = 0

    def flush():
        created = SearchEntry.objects.bulk_create(batch)
        backend.entries_written([e.pk for e in created if e.pk])
        batch.clear()

    index_changed()
    for document in documents:
        fields = entry_fields(document)
        vocabulary.update(_vocabulary(fields))
        batch.append(SearchEntry(**fields))
        total += 1
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    if vocabulary:
        SearchTerm.objects.bulk_create(
            [SearchTerm(term=t, entries=n) for t, n in vocabulary.items()],
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["term"],
            update_fields=["entries"],
        )
    return total


@transaction.atomic
def index_rebuild(*, documents: Iterable[Document]) -> int:
    """Replace the whole index with these documents (`manage.py kb_reindex`); returns how many."""
    SearchEntry.objects.all().delete()
    SearchTerm.objects.all().delete()
    total = entries_bulk_load(documents)
    get_backend().rebuild()
    return total


# --- Synonyms ----------------------------------------------------------------------------------


def synonym_terms_digest(*, terms: list[str], is_active: bool, note: str) -> str:
    data = {"terms": terms, "is_active": is_active, "note": note}
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def synonym_validate_terms(terms: list[str], *, key: str = "") -> list[str]:
    terms = [t.strip() for t in terms if t.strip()]
    plain = [t for t in terms if COMBINES not in t]
    if len({normalize(t) for t in plain} - {""}) < 2:
        raise ValidationError({"terms": _("A synonym group needs at least two different words or phrases.")})
    if any(len(t) > 60 for t in terms):
        raise ValidationError({"terms": _("Keep each word or phrase under 60 characters.")})
    for term in terms:
        parts = combination_parts(term)
        if term not in plain and (len(parts) < 2 or not all(p.removeprefix(GROUP_MARK) for p in parts)):
            raise ValidationError(
                {"terms": _("“%(term)s”: a combination joins two parts or more with +.") % {"term": term}}
            )
        named = {p.removeprefix(GROUP_MARK) for p in parts if p.startswith(GROUP_MARK)}
        missing = sorted(
            named - set(Synonym.objects.filter(key__in=named).exclude(key=key).values_list("key", flat=True))
        )
        if missing:
            message = _("“%(term)s”: no other synonym group has the key “%(key)s”.")
            raise ValidationError({"terms": message % {"term": term, "key": missing[0]}})
    return terms


@transaction.atomic
def synonym_save(
    *,
    key: str,
    terms: list[str],
    is_active: bool = True,
    note: str = "",
    instance: Synonym | None = None,
    source_hash: str | None = None,
) -> Synonym:
    terms = synonym_validate_terms(terms, key=key)
    synonym = instance or Synonym.objects.filter(key=key).first() or Synonym(key=key)
    synonym.key = key
    synonym.terms = "\n".join(terms)
    synonym.is_active = is_active
    synonym.note = note
    synonym.content_hash = synonym_terms_digest(terms=terms, is_active=is_active, note=note)
    if source_hash is not None:
        synonym.source_hash = source_hash
    synonym.full_clean(exclude=["content_hash", "source_hash"], validate_unique=True)
    synonym.save()
    transaction.on_commit(synonyms_changed)
    return synonym


@transaction.atomic
def synonym_delete(*, synonym: Synonym) -> None:
    synonym.delete()
    transaction.on_commit(synonyms_changed)


# --- Search log --------------------------------------------------------------------------------


# Searches and opens this process has recorded and not stored yet; one bulk insert after a response, at most
# every SEARCH_LOG_FLUSH_SECONDS (an INSERT per search made every search wait for SQLite's one write lock).
_lock = threading.Lock()
_log: dict = {"searches": [], "opens": [], "flushed": 0.0}
# An open whose search another process has not stored yet is tried again this long.
OPEN_PATIENCE = timedelta(minutes=5)


def search_log_record(*, query: str, normalized: str, language: str, source: str, result_urls: list[str]) -> str:
    """Record a search, stored after the response (`search_log_flush`); returns its key, which names it in
    `search_log_open`.

    The log keeps what it is given: the caller masks the query before searching (kb.search_views does, with
    infra.masking), so neither the query nor its normalized form can hold a card number."""
    key = secrets.token_urlsafe(12)
    with _lock:
        _log["searches"].append(
            SearchLog(
                key=key,
                created_at=timezone.now(),
                query=query[:200],
                normalized=normalized[:200],
                language=language,
                source=source,
                result_count=len(result_urls),
                results=result_urls,
            )
        )
    return key


def search_log_open(*, key: str, position: int) -> None:
    """Record that result `position` (1 = first) of a search was opened (stored after the response). Only
    the first open of a search counts, so reloading or opening several results in tabs does not inflate
    click-through."""
    if position < 1:
        raise ValidationError(_("No such result."))
    with _lock:
        _log["opens"].append((key, position, timezone.now()))


def search_log_flush(*, only_if_due: bool = False) -> int:
    """Store what this process recorded: one bulk insert, then the opens. Run after each response
    (`request_finished`, `only_if_due`: at most every SEARCH_LOG_FLUSH_SECONDS), at exit, and by commands
    and tests. A failure is logged, never shown (the visitor has their answer), and those records are lost
    (analytics only). Returns how many records were stored."""
    with _lock:
        if only_if_due and time.monotonic() - _log["flushed"] < settings.SEARCH_LOG_FLUSH_SECONDS:
            return 0
        searches, opens = _log["searches"], _log["opens"]
        _log.update(searches=[], opens=[], flushed=time.monotonic())
    if not searches and not opens:
        return 0
    waiting = []
    try:
        with transaction.atomic():
            SearchLog.objects.bulk_create(searches, ignore_conflicts=True)
            for key, position, at in opens:
                log = SearchLog.objects.filter(key=key)
                if log.filter(opened_position__isnull=True).update(opened_position=position, opened_at=at):
                    continue
                if timezone.now() - at < OPEN_PATIENCE and not log.exists():
                    waiting.append((key, position, at))
    except Exception:
        logger.exception("Could not store %d search log records", len(searches) + len(opens))
        return 0
    with _lock:
        _log["opens"] += waiting
    return len(searches) + len(opens) - len(waiting)


def search_log_prune(*, before: datetime, batch_size: int = 5000) -> int:
    """Delete the search records made before `before`, a batch per transaction so that a year of records
    never holds the table's lock for long while merchants search. Returns how many were deleted."""
    deleted = 0
    while True:
        keys = list(SearchLog.objects.filter(created_at__lt=before).values_list("pk", flat=True)[:batch_size])
        if not keys:
            return deleted
        with transaction.atomic():
            deleted += SearchLog.objects.filter(pk__in=keys).delete()[0]
