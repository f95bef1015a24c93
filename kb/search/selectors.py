"""Reads for search: run a query, shape hits with snippets, and the analytics for editors."""

import math
import re
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Avg, Count, Max, Q
from django.urls import reverse
from django.utils import timezone, translation

from kb.models import Language, ResponseCode
from kb.search.backends import get_backend
from kb.search.models import SearchEntry, SearchLog, SearchTerm, Synonym
from kb.search.pipeline import (
    Clause,
    ParsedQuery,
    Synonyms,
    analyze,
    code_candidates,
    code_lookalikes,
    edits1,
    has_cjk,
    parse_query,
)
from kb.search.services import SYNONYM_VERSION_KEY, compact, synonyms_changed

MAX_QUERY_LENGTH = 200
SNIPPET_CHARS = 140
RERANK_POOL = 30  # candidates the backend returns for re-ranking
RERANK_COVERAGE = 0.5
RERANK_EXACT = 0.6

# --- Synonyms, shared by all processes through the cache version ---------------------------------

_synonyms_lock = threading.Lock()
_synonyms: dict = {"version": None, "value": Synonyms([])}


def current_synonyms() -> Synonyms:
    """The active synonym groups, reloaded from the database when an admin edit bumped the version."""
    version = cache.get(SYNONYM_VERSION_KEY)
    if version is None:
        # A cold or cleared cache: publish a version so every process reloads once, then agrees.
        synonyms_changed()
        version = cache.get(SYNONYM_VERSION_KEY)
    if version != _synonyms["version"]:
        with _synonyms_lock:
            if version != _synonyms["version"]:
                groups = [s.term_list for s in Synonym.objects.filter(is_active=True)]
                _synonyms["value"] = Synonyms.from_term_lists(groups)
                _synonyms["version"] = version
    return _synonyms["value"]


# --- Search ------------------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str
    key: str
    language: str
    title: str
    url: str
    snippet: str
    title_parts: list[tuple[str, bool]]
    snippet_parts: list[tuple[str, bool]]
    score: float = 0.0

    def as_json(self) -> dict:
        return {"title": self.title, "url": self.url, "snippet": self.snippet, "kind": self.kind}


@dataclass
class SearchResult:
    query: ParsedQuery
    language: str
    hits: list[Hit] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    other_language: bool = False  # the hits are in the other language (nothing matched in this one)


def _language(language: str) -> str:
    return Language.EN if (language or "").startswith("en") else Language.ZH_HANS


def entry_url(kind: str, key: str, language: str) -> str:
    with translation.override(language):
        if kind == SearchEntry.Kind.CODE:
            return reverse("kb:code", kwargs={"code": key})
        return reverse("kb:article", kwargs={"slug": key})


def _detect_codes(query: ParsedQuery) -> list[str]:
    candidates = code_candidates(query.normalized)
    lookalikes = code_lookalikes(query.normalized)
    if not candidates and not lookalikes:
        return []
    known = set(
        ResponseCode.objects.filter(code__in=candidates + lookalikes, is_published=True).values_list("code", flat=True)
    )
    found = [c for c in candidates if c in known]
    # "AO" typed for "A0": only when the query is not itself a code.
    return found or [c for c in lookalikes if c in known]


def _correct_typos(query: ParsedQuery) -> dict[str, str]:
    """English words and pinyin the index has never seen get their closest indexed spelling as an
    alternative (one edit away: a letter missing, extra, wrong or two swapped)."""
    words = [w for w in query.words if w.isascii() and w.isalpha() and len(w) >= 4]
    if not words:
        return {}
    known = set(SearchTerm.objects.filter(term__in=words).values_list("term", flat=True))
    corrections = {}
    for word in words:
        if word in known:
            continue
        best = (
            SearchTerm.objects.filter(term__in=sorted(edits1(word)))
            .order_by("-entries", "term")
            .values_list("term", flat=True)
            .first()
        )
        if best:
            corrections[word] = best
            query.corrections[word] = best
            query.add(Clause((best,)))
            query.highlight.add(best)
    return corrections


def _highlighter(terms: set[str]) -> re.Pattern | None:
    parts = []
    for term in sorted(terms, key=len, reverse=True):
        if not term:
            continue
        if term.isascii():
            # A stemmed word marks the whole word in the text ("print" marks "printing").
            words = term.split()
            parts.append(r"(?<![a-z0-9])" + r"\s+".join(map(re.escape, words)) + r"[a-z]*")
        else:
            parts.append(re.escape(term))
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _mark(text: str, pattern: re.Pattern | None) -> list[tuple[str, bool]]:
    if not pattern or not text:
        return [(text, False)] if text else []
    parts, last = [], 0
    for match in pattern.finditer(text):
        if match.start() > last:
            parts.append((text[last : match.start()], False))
        if match.end() > match.start():
            parts.append((match.group(), True))
        last = match.end()
    if last < len(text):
        parts.append((text[last:], False))
    return parts


def _truncate(text: str) -> str:
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"


def _snippet(text: str, fallback: str, pattern: re.Pattern | None) -> str:
    """The stretch of the body with the most query words; else the symptom lines that match; else the
    summary. `text` is symptom lines, a blank line, then the body (services._snippet_source)."""
    symptoms, _blank, body = text.partition("\n\n") if "\n\n" in text else ("", "", text)
    spans = [m.span() for m in pattern.finditer(body)] if pattern and body else []
    if spans:
        best_start, best_count = spans[0][0], 0
        for start, _end in spans:
            count = sum(1 for s, e in spans if start <= s and e <= start + SNIPPET_CHARS)
            if count > best_count:
                best_start, best_count = start, count
        begin = max(0, best_start - 20)
        end = min(len(body), begin + SNIPPET_CHARS)
        return ("…" if begin > 0 else "") + body[begin:end].strip() + ("…" if end < len(body) else "")
    lines = [line for line in symptoms.split("\n") if line and pattern and pattern.search(line)]
    if lines:
        return _truncate("；".join(lines[:3]))
    return _truncate(fallback or body)


def _hits(entry_ids: list[int], scores: dict[int, float], query: ParsedQuery) -> list[Hit]:
    entries = SearchEntry.objects.filter(pk__in=entry_ids).only(
        "kind", "key", "language", "title", "summary", "text", "codes"
    )
    by_id = {e.pk: e for e in entries}
    pattern = _highlighter(query.highlight)
    hits = []
    for pk in entry_ids:
        entry = by_id.get(pk)
        if entry is None:
            continue
        snippet = _snippet(entry.text, entry.summary, pattern)
        hits.append(
            Hit(
                kind=entry.kind,
                key=entry.key,
                language=entry.language,
                title=entry.title,
                url=entry_url(entry.kind, entry.key, entry.language),
                snippet=snippet,
                title_parts=_mark(entry.title, pattern),
                snippet_parts=_mark(snippet, pattern),
                score=scores.get(pk, 0.0),
            )
        )
    return hits


def _rerank(query: ParsedQuery, matches: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Re-rank the backend's best candidates with signals full text cannot see, the same on both databases:

    - the query is the title, or one of the symptom lines, or contains one ("请重新签到" in a long
      description): merchants type what the screen says, and editors list exactly that;
    - the share of the query's own words (not synonyms) found in the title, symptoms, codes and tags,
      so words the merchant typed count more than the alternatives added for them.
    The backend's score, scaled to 0-1 among the candidates, still orders everything else.
    """
    if len(matches) < 2:
        return matches
    rows = SearchEntry.objects.filter(pk__in=[pk for pk, _s in matches]).values_list(
        "pk", "title_tokens", "symptoms_tokens", "codes_tokens", "tags_tokens", "pinyin_tokens", "phrases"
    )
    fields = {row[0]: row[1:] for row in rows}
    top = max(score for _pk, score in matches) or 1.0
    whole = compact(query.normalized)
    words = set(query.words)
    strong_by_pk = {}
    for pk, (title, symptoms, codes, tags, pinyin, _phrases) in fields.items():
        strong = {*title.split(), *symptoms.split(), *codes.split(), *tags.split()}
        if query.is_ascii_letters:
            strong.update(pinyin.split())
        strong_by_pk[pk] = strong

    def has(strong: set, word: str) -> bool:
        return word in strong or query.corrections.get(word) in strong

    # A word most candidates share ("sign", "签到") says less than a rare one ("settlement", "日切").
    pool = len(strong_by_pk)
    weight = {w: math.log((pool + 1) / (0.5 + sum(1 for st in strong_by_pk.values() if has(st, w)))) for w in words}
    total = sum(weight.values())
    rescored = []
    for pk, score in matches:
        strong = strong_by_pk.get(pk, set())
        coverage = sum(weight[w] for w in words if has(strong, w)) / total if total > 0 else 0.0
        lines = (fields.get(pk, ("",) * 6)[5] or "").split("\n")
        rescored.append(
            (pk, max(score, 0.0) / top + RERANK_COVERAGE * coverage + RERANK_EXACT * _exact(whole, words, lines))
        )
    return sorted(rescored, key=lambda item: -item[1])


def _exact(whole: str, words: set[str], lines: list[str]) -> float:
    """1 when the query is inside the title, 0.8 inside a symptom line; otherwise, when the query contains a
    whole line (as text, or all its words in any order), the share of the query that line covers."""
    if len(whole) < 2:
        return 0.0
    compacted = [line.replace(" ", "") for line in lines]
    if whole in compacted[0]:
        return 1.0
    if any(whole in line for line in compacted[1:]):
        return 0.8
    inside = 0
    for line, compacted_line in zip(lines, compacted, strict=True):
        line_words = set(analyze(line)) if " " in line else set()
        if len(compacted_line) >= 3 and (compacted_line in whole or (len(line_words) >= 2 and line_words <= words)):
            inside = max(inside, len(compacted_line))
    return 0.6 * min(inside / len(whole), 1.0)


def _ranked_ids(query: ParsedQuery, codes: list[str], *, language: str, limit: int) -> list[tuple[int, float]]:
    backend = get_backend()
    matches = _rerank(query, backend.match(query, language=language, limit=max(RERANK_POOL, limit + len(codes))))
    if not codes:
        return matches[:limit]
    code_entries = dict(
        SearchEntry.objects.filter(kind=SearchEntry.Kind.CODE, key__in=codes, language=language).values_list(
            "key", "pk"
        )
    )
    first = [(code_entries[c], float("inf")) for c in codes if c in code_entries]
    first_ids = {pk for pk, _score in first}
    rest = [(pk, score) for pk, score in matches if pk not in first_ids]
    # Articles that list the code come straight after its page, in their own rank order.
    listing = set(
        SearchEntry.objects.filter(pk__in=[pk for pk, _s in rest], kind=SearchEntry.Kind.ARTICLE)
        .filter(_lists_any(codes))
        .values_list("pk", flat=True)
    )
    rest.sort(key=lambda item: item[0] not in listing)  # stable: keeps rank order within each group
    return (first + rest)[:limit]


def _lists_any(codes: list[str]) -> Q:
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(codes=code) | Q(codes__startswith=f"{code} ") | Q(codes__endswith=f" {code}")
        condition |= Q(codes__contains=f" {code} ")
    return condition


def search(query: str, *, language: str, limit: int = 10, prefix_last: bool = True) -> SearchResult:
    language = _language(language)
    parsed = parse_query(query[:MAX_QUERY_LENGTH], synonyms=current_synonyms(), prefix_last=prefix_last)
    result = SearchResult(query=parsed, language=language)
    if not parsed.normalized:
        return result
    result.codes = _detect_codes(parsed)
    for code in result.codes:
        parsed.add(Clause((code.lower(),)))
    result.corrections = _correct_typos(parsed)
    ranked = _ranked_ids(parsed, result.codes, language=language, limit=limit)
    if not ranked:
        # Nothing in this language: a Chinese query on the English site (or the reverse) still gets
        # the pages that match, in the language they exist in.
        other = Language.ZH_HANS if language == Language.EN else Language.EN
        ranked = _ranked_ids(parsed, result.codes, language=other, limit=limit)
        result.other_language = bool(ranked)
    scores = dict(ranked)
    result.hits = _hits([pk for pk, _score in ranked], scores, parsed)
    return result


def alternatives(result: SearchResult, *, limit: int = 5) -> list[Hit]:
    """For a search with no results: pages matching any single character or word prefix of the query,
    else the most common problems, so the merchant never lands on an empty page."""
    query = result.query
    loose = ParsedQuery(raw=query.raw, normalized=query.normalized, words=query.words)
    for word in query.words:
        if has_cjk(word):
            for char in word:
                loose.add(Clause((char,), prefix=True))
        elif len(word) >= 2:
            loose.add(Clause((word[:3],), prefix=True))
    ranked = get_backend().match(loose, language=result.language, limit=limit) if not loose.is_empty else []
    if not ranked:
        from kb.selectors import COMMON_CODES, HUB_SLUG

        ids = list(
            SearchEntry.objects.filter(language=result.language)
            .filter(
                Q(kind=SearchEntry.Kind.ARTICLE, key=HUB_SLUG) | Q(kind=SearchEntry.Kind.CODE, key__in=COMMON_CODES)
            )
            .order_by("kind", "key")
            .values_list("pk", flat=True)[:limit]
        )
        ranked = [(pk, 0.0) for pk in ids]
    return _hits([pk for pk, _score in ranked], dict(ranked), query)


# --- Analytics ---------------------------------------------------------------------------------


@dataclass
class Analytics:
    days: int
    searches: int
    zero_results: int
    opened: int
    top_queries: list[dict]
    zero_result_queries: list[dict]
    top_opened: list[dict]

    @property
    def click_through(self) -> float:
        return self.opened / self.searches if self.searches else 0.0

    @property
    def zero_rate(self) -> float:
        return self.zero_results / self.searches if self.searches else 0.0


def search_analytics(*, days: int = 30, include_suggestions: bool = False, limit: int = 30) -> Analytics:
    since = timezone.now() - timedelta(days=days)
    logs = SearchLog.objects.filter(created_at__gte=since)
    if not include_suggestions:
        logs = logs.exclude(source=SearchLog.Source.SUGGEST)
    totals = logs.aggregate(
        searches=Count("pk"),
        zero=Count("pk", filter=Q(result_count=0)),
        opened=Count("pk", filter=Q(opened_position__isnull=False)),
    )
    top = (
        logs.values("normalized")
        .annotate(
            searches=Count("pk"),
            opened=Count("pk", filter=Q(opened_position__isnull=False)),
            results=Avg("result_count"),
            avg_position=Avg("opened_position"),
            last=Max("created_at"),
        )
        .order_by("-searches", "normalized")[:limit]
    )
    zero = (
        logs.filter(result_count=0)
        .values("normalized")
        .annotate(searches=Count("pk"), last=Max("created_at"), example=Max("query"))
        .order_by("-searches", "-last")[:limit]
    )
    top_queries = []
    for row in top:
        row["click_through"] = row["opened"] / row["searches"] if row["searches"] else 0.0
        top_queries.append(row)
    counts: dict[str, int] = {}
    for log in logs.filter(opened_position__isnull=False).only("results", "opened_position")[:5000]:
        url = log.opened_url
        if url:
            counts[url] = counts.get(url, 0) + 1
    top_opened = [{"url": u, "opens": n} for u, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:limit]]
    return Analytics(
        days=days,
        searches=totals["searches"],
        zero_results=totals["zero"],
        opened=totals["opened"],
        top_queries=top_queries,
        zero_result_queries=list(zero),
        top_opened=top_opened,
    )
