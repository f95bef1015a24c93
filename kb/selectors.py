"""Reads for knowledge-base pages, each shaped to keep a page to a handful of queries."""

import hashlib
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q
from django.utils import timezone

from infra.i18n import current_language
from kb import search
from kb.models import Article, Category, Language, ResponseCode, TerminalModel

# Response codes a merchant most often meets with "请重新签到", shown on the home page.
COMMON_CODES = ("A0", "99", "77", "98", "90")
HUB_SLUG = "re-sign-in-prompt"


# The home page names this many articles per category (in editors' order), then links to the category:
# a phone screen, not an index of the whole knowledge base.
HOME_ARTICLES_PER_CATEGORY = 6


def categories_with_articles(*, language: str, per_category: int = HOME_ARTICLES_PER_CATEGORY) -> list[Category]:
    """Categories with published articles: each with its first `per_category` articles and how many it has."""
    articles = Article.objects.published().in_language(language).only("slug", "title", "summary", "category_id")
    categories = list(Category.objects.all())
    by_category: dict[int, list[Article]] = {}
    counts: dict[int, int] = {}
    for article in articles.order_by("order", "slug"):
        counts[article.category_id] = counts.get(article.category_id, 0) + 1
        if counts[article.category_id] <= per_category:
            by_category.setdefault(article.category_id, []).append(article)
    for category in categories:
        category.article_list = by_category.get(category.pk, [])
        category.article_count = counts.get(category.pk, 0)
    return [c for c in categories if c.article_list]


def next_scheduled_publish() -> datetime | None:
    """When the next scheduled article goes live: public pages change then without anyone saving."""
    upcoming = Article.objects.filter(status=Article.Status.PUBLISHED, publish_at__gt=timezone.now())
    return upcoming.aggregate(at=Min("publish_at"))["at"]


def common_codes() -> list[ResponseCode]:
    codes = {c.code: c for c in ResponseCode.objects.filter(code__in=COMMON_CODES, is_published=True)}
    return [codes[c] for c in COMMON_CODES if c in codes]


def related_articles(article: Article) -> list[Article]:
    slugs = article.related_list
    if not slugs:
        return []
    found = {
        a.slug: a
        for a in Article.objects.published()
        .in_language(article.language)
        .filter(slug__in=slugs)
        .only("slug", "title", "summary", "language")
    }
    return [found[s] for s in slugs if s in found]


def vote_counts(article: Article) -> dict[str, int]:
    return article.votes.aggregate(yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False)))


def article_codes(article: Article) -> list[ResponseCode]:
    codes = article.code_list
    if not codes:
        return []
    found = {c.code: c for c in ResponseCode.objects.filter(code__in=codes, is_published=True)}
    return [found[c] for c in codes if c in found]


def translations_of(article: Article) -> dict[str, Article]:
    return {
        a.language: a
        for a in Article.objects.published().filter(slug=article.slug).exclude(pk=article.pk).only("slug", "language")
    }


def published_terminal_models() -> list[TerminalModel]:
    return list(TerminalModel.objects.filter(is_published=True))


def chosen_terminal_model(models: list[TerminalModel], slug: str | None) -> TerminalModel | None:
    """The merchant's model among the published ones; an unknown or withdrawn slug means none."""
    return next((m for m in models if slug and m.slug == slug), None)


# What merchants call each kind of terminal: a query naming one ("安卓智能POS怎么签到", "mPOS app") opens
# the answer with that kind's menu paths.
TERMINAL_KIND_WORDS = {
    TerminalModel.Kind.SMART: ("智能pos", "安卓pos", "安卓", "smart pos", "android"),
    TerminalModel.Kind.MPOS: ("mpos", "手机pos", "手机收款", "phone app"),
    TerminalModel.Kind.KEYPAD: ("键盘pos", "传统pos", "keypad"),
}


def terminal_model_named(query: str) -> TerminalModel | None:
    """The published terminal model a query names: by its name or its maker (the first model listed for
    that maker), else by its kind (the generic model of that kind, the first listed)."""
    text = search.normalize(query)
    if not text:
        return None
    models = published_terminal_models()
    for model in models:
        names = [search.normalize(n) for n in (model.name_zh, model.name_en, model.vendor) if n]
        if any(name and _names(text, name) for name in names):
            return model
    for kind, words in TERMINAL_KIND_WORDS.items():
        if any(_names(text, word) for word in words):
            return next((m for m in models if m.kind == kind), None)
    return None


def _names(text: str, name: str) -> bool:
    # Latin names are whole words ("pax" is not in "paxton"); Chinese ones anywhere in the text.
    if search.has_cjk(name):
        return name in text
    return re.search(r"(?<![a-z0-9])" + re.escape(name) + r"(?![a-z0-9])", text) is not None


# --- Search: kb's policy over the search library ---------------------------------------------------

# Shown when a search matches nothing at all: where every merchant with a sign-on problem should start,
# and how to reach a person. Articles only: a list of code pages would say nothing about the query.
# A code the table does not have (an acquirer's private one, "C1"): what to record and try, and whom to ask.
UNKNOWN_CODES_SLUG = "unknown-codes"
SEARCH_FALLBACK = (("article", HUB_SLUG), ("article", "sign-in-vs-sign-on"), ("article", "contact-support"))


def search_pages(query: str, *, language: str, limit: int = 10, prefix_last: bool = True) -> search.SearchResult:
    """Search the knowledge base in the site's language, falling back to the other language's pages.

    Answers are kept in the shared cache: merchants type the same few screen texts and codes, and a query's
    answer changes only with the index or the synonyms (`search.version()`), or when a scheduled article
    goes live.
    """
    language = current_language(language)
    text = hashlib.blake2b(query.encode(), digest_size=16).hexdigest()
    key = f"kb:search:answer:{language}:{limit}:{int(prefix_last)}:{text}"
    version, kept = search.version(key)
    if version is not None and key in kept and kept[key][1] == version and timezone.now() < kept[key][0]:
        return kept[key][2]
    other = Language.ZH_HANS if language == Language.EN else Language.EN
    result = search.search(
        query,
        language=language,
        other_language=other,
        unknown_code_page=("article", UNKNOWN_CODES_SLUG),
        limit=limit,
        prefix_last=prefix_last,
    )
    # Until the configured time, or until the next scheduled article goes live (by the site's clock).
    until = timezone.now() + timedelta(seconds=settings.SEARCH_CACHE_SECONDS)
    due = next_scheduled_publish()
    until = min(until, due) if due else until
    if version is not None:  # else Redis is unreachable: nothing is kept
        cache.set(key, (until, version, result), timeout=max(1, int((until - timezone.now()).total_seconds())))
    return result


def closest_pages(result: search.SearchResult) -> tuple[list[search.Hit], bool]:
    """For a search without results: the pages nearest to the query and True, else the starting points and
    False (the page then says that nothing was found, and not that these are close)."""
    if close := search.alternatives(result):
        return close, True
    return search.alternatives(result, fallback=list(SEARCH_FALLBACK)), False


# A screen text shorter than this (in normalized characters) names a code only when it is the whole line
# ("批准"): inside a longer line it is too likely a word of something else.
SCREEN_TEXT_MIN_INSIDE = 3


def codes_in_photo_text(text: str) -> list[str]:
    """The response codes a text read from a photo of the screen or a receipt names: the codes search finds
    (kb.search.codes_read), else the code table's screen texts found in its lines, longest first."""
    named = search.codes_read(text)
    if named:
        return named
    lines = [normalized for line in text.splitlines() if (normalized := search.normalize(line))]
    if not lines:
        return []
    matches: list[tuple[int, str]] = []
    for code, screen_texts in ResponseCode.objects.filter(is_published=True).values_list("code", "screen_texts"):
        for screen_text in screen_texts.splitlines():
            wanted = search.normalize(screen_text)
            if wanted and any(
                wanted == line or (len(wanted) >= SCREEN_TEXT_MIN_INSIDE and wanted in line) for line in lines
            ):
                matches.append((len(wanted), code))
    return list(dict.fromkeys(code for _length, code in sorted(matches, key=lambda match: -match[0])))
