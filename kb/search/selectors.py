"""Reads for search: run a query through its plan (planning.py), rank the candidates (ranking.py) and shape
the hits with marked titles and snippets (snippets.py)."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from kb.search import sounds
from kb.search.backends import get_backend
from kb.search.models import SearchEntry
from kb.search.pipeline import Clause, ParsedQuery, add_synonyms, has_cjk, parse_query, stem
from kb.search.planning import STREAM_WINDOW, correct_typos, count_terms, detect_codes, plan
from kb.search.ranking import candidates, match_share, match_shares, owning_code, rerank
from kb.search.snippets import first_line, hit_highlighter, mark, marks_for, snippet
from kb.search.synonyms import current_synonyms

MAX_QUERY_LENGTH = 200
RERANK_POOL = 30  # candidates the backend returns for re-ranking
TYPED_POOL = 10  # and the best for the typed words alone, when synonyms were searched too (_typed_pool)
# The share of the typed words (weighted by rarity, a word no page has weighing most) that the best page
# must cover, in its title, symptoms, codes, tags or summary (the body at half credit), for the results to
# count as an answer. A third: merchants' sentences carry filler the index never saw ("付款一直在转圈"
# covers 0.31), while a question about something the portal has no page for misses its topic word, the
# rarest one ("店里的空调坏了": 0.27, only 坏了 is known). Below it the results are the closest articles.
EXACT_SHARE = 0.3
AS_LINE = 0.6  # the line signal (ranking._exact) of a page that answers the query, whatever else was typed
CODE_SHARE = 0.5  # a code page found by words, not by its code, must be about at least half of the query

# --- Search ------------------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str
    key: str
    language: str
    title: str
    url: str
    snippet: str
    # Each part with how it is marked: "" (not), "typed" or "related" (a synonym; snippets.marks_for).
    title_parts: list[tuple[str, str]]
    snippet_parts: list[tuple[str, str]]
    score: float = 0.0
    line: str = ""

    def as_json(self) -> dict:
        return {"title": self.title, "url": self.url, "snippet": self.snippet, "line": self.line, "kind": self.kind}


@dataclass
class SearchResult:
    query: ParsedQuery
    language: str
    hits: list[Hit] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    unknown_codes: list[str] = field(default_factory=list)  # code-shaped ("C1") but without a page
    corrections: dict[str, str] = field(default_factory=dict)
    other_language: bool = False  # the hits are in the other language (nothing matched in this one)
    # False when no page covers enough of what was typed: the hits are only the closest articles.
    exact: bool = False
    match_share: float = 0.0


def _order(query: ParsedQuery, codes: list[str], *, language: str, limit: int) -> tuple[list, dict]:
    """Entry ids in final order, with the candidates' data: code pages first, then pages listing the code."""
    planned, window = plan(query, query.counts)
    matches = get_backend().match(planned, language=language, limit=max(RERANK_POOL, limit), window=window)
    matches += _typed_pool(query, planned, matches, language=language, window=window)
    code_ids = []
    if codes:
        code_entries = dict(
            SearchEntry.objects.filter(kind=SearchEntry.Kind.CODE, key__in=codes, language=language).values_list(
                "key", "pk"
            )
        )
        code_ids = [code_entries[c] for c in codes if c in code_entries]
    rows = candidates([pk for pk, _s in matches] + code_ids)
    matches = [(pk, score) for pk, score in matches if pk in rows]  # not the ones scheduled for later
    ranked = rerank(query, matches, rows)
    if not codes:
        owner = owning_code(query, ranked, rows, language)
        if owner is not None and owner not in rows:
            # On a large index the code's page may be outside the backend's best candidates.
            rows |= candidates([owner])
        if owner is not None and owner in rows:
            query.owner = owner
            ranked = [(owner, float("inf")), *((pk, s) for pk, s in ranked if pk != owner)]
        elif ranked and _is_code(rows, ranked[0][0]):
            # A code page leads only when the query is its text or name, or says its name in other words (the
            # owner). A screen text several codes show ("请重新签到"), or words found in several codes' texts
            # ("sign in again error", "wangluo"): the page explaining them comes first.
            lead = next((i for i, (pk, _s) in enumerate(ranked) if not _is_code(rows, pk)), None)
            if lead is not None:
                ranked = [ranked[lead], *ranked[:lead], *ranked[lead + 1 :]]
        return ranked[:limit], rows
    first = [(pk, float("inf")) for pk in code_ids]
    rest = [(pk, score) for pk, score in ranked if pk not in code_ids]
    # Articles that list the code come straight after its page, in their own rank order.
    listing = {pk for pk, _s in rest if set(codes) & set((rows.get(pk) or {}).get("codes", "").split())}
    rest.sort(key=lambda item: item[0] not in listing)  # stable: keeps rank order within each group
    return (first + rest)[:limit], rows


def _typed_pool(query: ParsedQuery, planned: ParsedQuery, matches: list, *, language: str, window) -> list:
    """The pages the typed words (and their typo corrections) match best that the synonyms' matches left out
    of the pool: a group of many common terms ("fail", "not working", "unable to") can fill it with pages
    that say "fail" often, leaving out the page about the word that was typed with it ("setlement fail").
    They join at the pool's lowest score (they scored at most that), for the re-rank to weigh."""
    typed = [clause for clause in planned.clauses if clause not in query.expansions]
    if not matches or len(typed) == len(planned.clauses):
        return []
    own = ParsedQuery(raw=query.raw, normalized=query.normalized, words=query.words, clauses=typed)
    found = {pk for pk, _s in matches}
    floor = min(score for _pk, score in matches)
    extra = get_backend().match(own, language=language, limit=TYPED_POOL, window=window)
    return [(pk, floor) for pk, _s in extra if pk not in found]


def _hits(ranked: list[tuple[int, float]], rows: dict[int, dict], query: ParsedQuery) -> list[Hit]:
    texts = dict(SearchEntry.objects.filter(pk__in=[pk for pk, _s in ranked]).values_list("pk", "text"))
    marks = marks_for(query)
    hits = []
    for pk, score in ranked:
        row = rows.get(pk)
        if row is None:
            continue
        source = texts.get(pk, "")
        # A pinyin query marks the Chinese it spells in what the page is called and says it is about.
        pattern = hit_highlighter(marks, row["title"], row["summary"], source.partition("\n\n")[0])
        text = snippet(source, row["summary"], pattern)
        hits.append(
            Hit(
                kind=row["kind"],
                key=row["key"],
                language=row["language"],
                title=row["title"],
                url=row["url"],
                snippet=text,
                title_parts=mark(row["title"], pattern),
                snippet_parts=mark(text, pattern),
                score=score,
                line=first_line(row["summary"]),
            )
        )
    return hits


def search(
    query: str,
    *,
    language: str,
    other_language: str | None = None,
    unknown_code_page: tuple[str, str] | None = None,
    limit: int = 10,
    prefix_last: bool = True,
) -> SearchResult:
    """Pages in `language` in rank order, a response code's page first when the query names one. With
    `other_language`, a query nothing matches in `language` gets that language's pages (marked so), and
    letters typed on a Chinese site are also tried there. With `unknown_code_page` ((kind, key)), a query
    naming a code that has no page ("C1", an acquirer's own) gets that page first."""
    parsed = parse_query(query[:MAX_QUERY_LENGTH], synonyms=current_synonyms(), prefix_last=prefix_last)
    heard, misheard = sounds.corrected(parsed.normalized)
    if misheard:
        # 前到失败 typed for 签到失败: searched as what it sounds like.
        parsed = parse_query(heard, synonyms=current_synonyms(), prefix_last=prefix_last)
    result = SearchResult(query=parsed, language=language, corrections=misheard)
    if not parsed.normalized:
        return result
    _complete(parsed, result)
    ranked, rows = _order(parsed, result.codes, language=language, limit=limit)
    # The best page's share decides `exact`; code pages' shares whether they are shown: one query for all.
    shares = match_shares(parsed, [pk for i, (pk, _s) in enumerate(ranked) if i == 0 or _is_code(rows, pk)])
    result.match_share = shares.get(ranked[0][0], 0.0) if ranked else 0.0
    if other_language:
        ranked, rows, shares = _other_language(parsed, result, (ranked, rows, shares), other_language, limit)
    # What was typed, its core or the screen text it quotes is a line of the first page ("早上开机…就提示请重新签到"):
    # an answer, however many other words came with it.
    said = bool(ranked) and parsed.as_line.get(ranked[0][0], 0.0) >= AS_LINE
    result.exact = bool(result.codes) or result.match_share >= EXACT_SHARE or said
    if not result.codes:
        ranked = _without_stray_codes(parsed, ranked, rows, exact=result.exact, shares=shares)
    if result.unknown_codes and unknown_code_page:
        ranked, rows = _pinned(ranked, rows, unknown_code_page, language=result.language)
    result.hits = _hits(ranked[:limit], rows, parsed)
    return result


def _pinned(ranked: list, rows: dict, page: tuple[str, str], *, language: str) -> tuple[list, dict]:
    """The ranking with `page` first (if it exists in this language)."""
    kind, key = page
    pk = SearchEntry.objects.filter(kind=kind, key=key, language=language).values_list("pk", flat=True).first()
    if pk is None:
        return ranked, rows
    return [(pk, float("inf")), *((p, s) for p, s in ranked if p != pk)], rows | candidates([pk])


def _complete(parsed: ParsedQuery, result: SearchResult) -> None:
    """What the query needs from the index before matching: its codes, word counts and typo corrections."""
    result.codes, result.unknown_codes = detect_codes(parsed)
    for code in result.codes:
        parsed.add(Clause((code.lower(),)))
    count_terms(parsed)
    result.corrections |= correct_typos(parsed, parsed.counts)
    if result.corrections:
        # "sing in" corrected is "sign in", a synonym of 重新签到. Only phrases: a corrected word is already
        # searched, and its synonyms would outweigh it in long pages ("setlement": the training page); but
        # amid Chinese ("pinter 没反应") an English word is mostly said in Chinese by the pages, so all of them.
        parsed.corrected = " ".join(result.corrections.get(stem(w), w) for w in parsed.normalized.split())
        phrases_only = not has_cjk(parsed.normalized)
        add_synonyms(parsed, current_synonyms(), parsed.corrected, phrases_only=phrases_only)
        count_terms(parsed)


def _other_language(parsed: ParsedQuery, result: SearchResult, found: tuple, other: str, limit: int) -> tuple:
    """(ranked, rows, shares), from the other language when that serves the merchant better."""
    ranked, rows, shares = found
    if not ranked:
        # Nothing in this language: a Chinese query on the English site (or the reverse) still gets
        # the pages that match, in the language they exist in.
        ranked, rows = _order(parsed, result.codes, language=other, limit=limit)
        result.other_language = bool(ranked)
        result.match_share = match_share(parsed, ranked[0][0]) if ranked else 0.0
        return ranked, rows, {}
    if parsed.is_ascii_letters and result.language.startswith("zh") and not result.codes:
        # English words typed on the Chinese site ("sigin failed") find the English pages, shown as their
        # Chinese versions, when those cover the query at least as well.
        ranked_other, rows_other = _order(parsed, result.codes, language=other, limit=limit)
        share = match_share(parsed, ranked_other[0][0]) if ranked_other else 0.0
        mapped, mapped_rows = _same_pages(ranked_other, rows_other, language=result.language) if share else ([], {})
        if mapped and share >= result.match_share:
            result.match_share = share
            return mapped, mapped_rows, {}
    return ranked, rows, shares


def _is_code(rows: dict, pk: int) -> bool:
    return rows[pk]["kind"] == SearchEntry.Kind.CODE


def _without_stray_codes(query: ParsedQuery, ranked: list, rows: dict, *, exact: bool, shares: dict) -> list:
    """A code page is shown for a query that names no code only when it is about the query (covers at
    least CODE_SHARE of it), and never when no page answers the query: then the closest articles are
    offered, not code pages that merely share a word with it ("accept" in "can I accept bitcoin")."""
    codes = [pk for pk, _s in ranked if _is_code(rows, pk)]
    if not codes or not exact:
        # The code whose name the query says in other words stays: "阿姨的卡没钱了" covers little of what was
        # typed (阿姨 is on no page), but 没钱 is code 51's name.
        return [(pk, s) for pk, s in ranked if pk not in codes or pk == query.owner]
    missing = [pk for pk in codes if pk not in shares]
    shares = shares | (match_shares(query, missing) if missing else {})
    return [(pk, s) for pk, s in ranked if pk not in codes or pk == query.owner or shares.get(pk, 0.0) >= CODE_SHARE]


def _same_pages(ranked: list, rows: dict, *, language: str) -> tuple[list, dict]:
    """The given hits' pages in `language`, in the same order (those that exist in it)."""
    keys = [(rows[pk]["kind"], rows[pk]["key"]) for pk, _s in ranked]
    found = {
        (kind, key): pk
        for pk, kind, key in SearchEntry.objects.filter(
            language=language, key__in={key for _k, key in keys}
        ).values_list("pk", "kind", "key")
    }
    mapped = [(found[page], score) for page, (_pk, score) in zip(keys, ranked, strict=True) if page in found]
    return mapped, candidates(pk for pk, _s in mapped)


def alternatives(result: SearchResult, *, fallback: Sequence[tuple[str, str]] = (), limit: int = 5) -> list[Hit]:
    """For a search with no results: articles matching any single character or word prefix of the query,
    else the caller's `fallback` pages ((kind, key) pairs, in that order), so nobody lands on an empty page."""
    query = result.query
    loose = ParsedQuery(raw=query.raw, normalized=query.normalized, words=query.words)
    for word in query.words:
        if has_cjk(word):
            for char in word:
                loose.add(Clause((char,), prefix=True))
        elif len(word) >= 2:
            loose.add(Clause((word[:3],), prefix=True))
    ranked = []
    if loose.clauses:
        ranked = get_backend().match(loose, language=result.language, limit=limit * 3, window=STREAM_WINDOW)
    rows = candidates(pk for pk, _s in ranked)
    # Code pages that share a character with the query are not "close" to it.
    ranked = [(pk, s) for pk, s in ranked if rows[pk]["kind"] == SearchEntry.Kind.ARTICLE][:limit]
    if not ranked and fallback:
        wanted = Q()
        for kind, key in fallback:
            wanted |= Q(kind=kind, key=key)
        found = {
            (kind, key): pk
            for pk, kind, key in SearchEntry.objects.filter(wanted, language=result.language).values_list(
                "pk", "kind", "key"
            )
        }
        ranked = [(found[page], 0.0) for page in fallback if page in found][:limit]
        rows = candidates(pk for pk, _s in ranked)
    return _hits(ranked, rows, query)
