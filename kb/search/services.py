"""Writes for search: index entries, synonyms and the search log. kb.services calls the index hooks
inside its own transactions, so an article and its entry change together or not at all."""

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Iterable

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from kb.models import Article, Language, ResponseCode
from kb.search.backends import get_backend
from kb.search.models import TOKEN_FIELDS, SearchEntry, SearchLog, SearchTerm, Synonym
from kb.search.pipeline import analyze, normalize, pinyin
from portal.masking import mask

SYNONYM_VERSION_KEY = "kb:search:synonyms:version"
MAX_TERM = 100


def _plain(html: str) -> str:
    import html as html_module

    return " ".join(html_module.unescape(strip_tags(html)).split())


def _tokens(text: str) -> str:
    return " ".join(analyze(text))


def compact(text: str) -> str:
    """Normalized and without spaces: how titles, symptom lines and queries are compared whole."""
    return normalize(text).replace(" ", "")


def _snippet_source(lines: list[str], body: str) -> str:
    """Symptom lines, a blank line, then the body on one line (selectors.snippet relies on this shape)."""
    return "\n".join(line.replace("\n", " ") for line in lines) + "\n\n" + " ".join(body.split())


def _phrases(title: str, lines: list[str]) -> str:
    # Normalized, the title always first.
    return "\n".join([normalize(title), *(n for n in (normalize(line) for line in lines) if n)])


# --- Index entries -----------------------------------------------------------------------------


def article_entry_fields(article: Article) -> dict:
    """What an article contributes to the index; also used by the benchmark's bulk loader."""
    symptoms = "\n".join(article.symptom_list)
    codes = " ".join(article.code_list)
    return {
        "kind": SearchEntry.Kind.ARTICLE,
        "key": article.slug,
        "language": article.language,
        "title": article.title,
        "summary": article.summary,
        "text": _snippet_source(article.symptom_list, _plain(article.body_html)),
        "codes": codes,
        "phrases": _phrases(article.title, article.symptom_list),
        "title_tokens": _tokens(article.title),
        "symptoms_tokens": _tokens(symptoms),
        "codes_tokens": _tokens(codes),
        "tags_tokens": _tokens(" , ".join(article.tag_list)),
        "summary_tokens": _tokens(article.summary),
        "body_tokens": _tokens(_plain(article.body_html)),
        "pinyin_tokens": " ".join(
            pinyin(article.title) + pinyin(" , ".join(article.tag_list)) + pinyin(" , ".join(article.symptom_list))
        ),
    }


def code_entry_fields(code: ResponseCode, language: str) -> dict:
    zh = language == Language.ZH_HANS
    name = code.name_zh if zh else code.name_en
    action = code.action_zh if zh else code.action_en
    details = _plain(code.details_html_zh if zh else code.details_html_en)
    # Both names go in: an English merchant may paste the Chinese screen text and vice versa.
    other_name = code.name_en if zh else code.name_zh
    label = "应答码 返回码 错误码" if zh else "response code error code"
    return {
        "kind": SearchEntry.Kind.CODE,
        "key": code.code,
        "language": language,
        "title": f"{code.code} {name}",
        "summary": action,
        "text": _snippet_source(code.screen_text_list, f"{action} {details}".strip()),
        "codes": code.code,
        "phrases": _phrases(name, [other_name, *code.screen_text_list]),
        "title_tokens": _tokens(f"{name} {other_name}"),
        "symptoms_tokens": _tokens("\n".join(code.screen_text_list)),
        "codes_tokens": _tokens(code.code),
        "tags_tokens": _tokens(label),
        "summary_tokens": _tokens(action),
        "body_tokens": _tokens(details),
        "pinyin_tokens": " ".join(pinyin(name) + pinyin(" , ".join(code.screen_text_list))),
    }


def _vocabulary(fields: dict) -> set[str]:
    """Every distinct indexed word of an entry. Their entry counts let a query skip words nobody uses,
    start from its rarest words on a large index, and offer spelling corrections."""
    words = set()
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
    return entry


def _entries_delete(queryset) -> int:
    removed: Counter = Counter()
    for entry in queryset.select_for_update():
        removed.update(_vocabulary(entry.token_fields()))
    count, _detail = queryset.delete()
    if removed:
        # One decrement per entry that had the word.
        for times in sorted(set(removed.values())):
            words = [w for w, n in removed.items() if n == times]
            SearchTerm.objects.filter(term__in=words).update(entries=Greatest(F("entries") - times, 0))
        SearchTerm.objects.filter(term__in=list(removed), entries=0).delete()
    return count


@transaction.atomic
def entry_index_article(*, article: Article) -> SearchEntry | None:
    """Index a published article; anything else (draft, archived) leaves the index."""
    if not article.is_public:
        entry_unindex_article(article=article)
        return None
    return _entry_save({"article": article}, article_entry_fields(article))


@transaction.atomic
def entry_unindex_article(*, article: Article) -> None:
    if article.pk:
        _entries_delete(SearchEntry.objects.filter(article=article))


@transaction.atomic
def entry_index_code(*, code: ResponseCode) -> list[SearchEntry]:
    if not code.is_published:
        entry_unindex_code(code=code)
        return []
    return [
        _entry_save({"response_code": code, "language": language}, code_entry_fields(code, language))
        for language in Language.values
    ]


@transaction.atomic
def entry_unindex_code(*, code: ResponseCode) -> None:
    if code.pk:
        _entries_delete(SearchEntry.objects.filter(response_code=code))


def entries_bulk_load(items: Iterable[tuple[dict, dict]], *, batch_size: int = 2000) -> int:
    """Insert many entries at once: (lookup, fields) pairs for pages not yet indexed. Used by
    `index_rebuild` and the benchmark; one statement per batch instead of one service call per page."""
    backend = get_backend()
    vocabulary: Counter = Counter()
    batch: list[SearchEntry] = []
    total = 0

    def flush():
        created = SearchEntry.objects.bulk_create(batch)
        backend.entries_written([e.pk for e in created if e.pk])
        batch.clear()

    for lookup, fields in items:
        vocabulary.update(_vocabulary(fields))
        batch.append(SearchEntry(**lookup, **fields))
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
def index_rebuild() -> dict[str, int]:
    """Rebuild the whole index from the published articles and codes (`manage.py kb_reindex`)."""
    SearchEntry.objects.all().delete()
    SearchTerm.objects.all().delete()
    articles = Article.objects.published().select_related("category")
    codes = ResponseCode.objects.filter(is_published=True)

    def items():
        for article in articles.iterator():
            yield {"article": article}, article_entry_fields(article)
        for code in codes.iterator():
            for language in Language.values:
                yield {"response_code": code}, code_entry_fields(code, language)

    total = entries_bulk_load(items())
    get_backend().rebuild()
    return {"entries": total, "articles": articles.count(), "codes": codes.count()}


# --- Synonyms ----------------------------------------------------------------------------------


def synonym_terms_digest(*, terms: list[str], is_active: bool, note: str) -> str:
    data = {"terms": terms, "is_active": is_active, "note": note}
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def synonyms_changed() -> None:
    """Every web process reloads its synonyms when this version changes (see selectors.current_synonyms)."""
    cache.set(SYNONYM_VERSION_KEY, uuid.uuid4().hex, timeout=None)


def synonym_validate_terms(terms: list[str]) -> list[str]:
    terms = [t.strip() for t in terms if t.strip()]
    if len({normalize(t) for t in terms} - {""}) < 2:
        raise ValidationError({"terms": _("A synonym group needs at least two different words or phrases.")})
    if any(len(t) > 60 for t in terms):
        raise ValidationError({"terms": _("Keep each word or phrase under 60 characters.")})
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
    terms = synonym_validate_terms(terms)
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


def search_log_record(*, query: str, normalized: str, language: str, source: str, result_urls: list[str]) -> SearchLog:
    # Merchants paste whole receipts and log lines into the ticket form, whose suggestions search as they
    # type: whatever the caller did, no card number reaches the log.
    return SearchLog.objects.create(
        query=mask(query)[:200],
        normalized=mask(normalized)[:200],
        language=language,
        source=source,
        result_count=len(result_urls),
        results=result_urls,
    )


def search_log_open(*, log: SearchLog, position: int) -> str:
    """Record that result `position` (1 = first) was opened and return its URL.

    Only the first open of a search counts, so reloading or opening several results in tabs does not
    inflate click-through. The URL always comes from the log row, never from the request.
    """
    if not 1 <= position <= len(log.results):
        raise ValidationError(_("No such result."))
    SearchLog.objects.filter(pk=log.pk, opened_position__isnull=True).update(
        opened_position=position, opened_at=timezone.now()
    )
    return log.results[position - 1]
