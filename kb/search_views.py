"""Search pages: the results page, the JSON endpoint the suggestions use, and the click-recording redirect.
kb's pages over the search library (kb.search): they decide languages and fallbacks, search only answers."""

from urllib.parse import quote, urlencode

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from infra.i18n import current_language
from infra.masking import mask
from infra.middleware import is_local_path
from infra.ratelimit import OPEN, Limit, client_address
from kb import search, selectors
from kb.forms import SearchForm
from kb.models import Language

PAGE_RESULTS = 20
API_RESULTS = 8
API_MAX_RESULTS = 20


OPEN_SALT = "kb.search.open"


def _signature(key: str, position: int, url: str, query: str, signer: signing.Signer | None = None) -> str:
    return (signer or signing.Signer(salt=OPEN_SALT)).signature(f"{key}\n{position}\n{url}\n{query}")


def _result_urls(key: str | None, hits: list[search.Hit], query: str) -> list[str]:
    """The result links, in rank order: through the click recorder when the search was recorded. Each link
    carries its own signed target, so opening a result needs no database read (the search is written
    after the response) and cannot be pointed anywhere else."""
    if not key:
        return [hit.url for hit in hits]
    signer = signing.Signer(salt=OPEN_SALT)
    # Built once per search (every link differs only in its position and target).
    base = reverse("kb:search_open", kwargs={"log_key": key, "position": 1}).removesuffix("1/")
    quoted = quote(query, safe="")
    return [
        f"{base}{rank}/?u={quote(hit.url, safe='/')}&q={quoted}&s={_signature(key, rank, hit.url, query, signer)}"
        for rank, hit in enumerate(hits, start=1)
    ]


def _search_budget(request: HttpRequest) -> tuple[bool, bool]:
    """Whether this search is served, and whether it is recorded for analytics: one counter per address and
    minute for both (one write instead of two on the search's path).

    The service ceiling is generous: a shop's whole Wi-Fi searching never reaches it, a script does. Past
    the lower recording ceiling the results are served all the same, but a script cannot inflate the
    figures or grow the log without bound.
    """
    # Open while Redis is down (infra/ratelimit.py): a search only reads.
    limit = Limit("search", settings.SEARCH_RATE_PER_MINUTE, 60, when_down=OPEN)
    used = limit.count_event(client_address(request))
    return used <= settings.SEARCH_RATE_PER_MINUTE, used <= settings.SEARCH_LOG_PER_MINUTE


def _record(*, query: str, result: search.SearchResult, source: str, recorded: bool) -> str | None:
    return search.log_search(query=query, result=result, source=source) if recorded else None


@require_GET
def results(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    context = {"form": form, "query": request.GET.get("q", "")[:500], "hits": [], "searched": False}
    if not form.is_valid():
        return render(request, "kb/search.html", context)
    query = form.cleaned_data["q"].strip()
    masked = mask(query)
    if masked != query:
        # The address bar, history and the next page's Referer must not keep a card number either.
        return redirect(reverse("kb:search") + "?" + urlencode({"q": masked}))
    context["query"] = query
    if not query:
        return render(request, "kb/search.html", context)
    served, recorded = _search_budget(request)
    if not served:
        context["error"] = _("Too many searches from your connection. Please wait a minute and try again.")
        return render(request, "kb/search.html", context, status=429)
    result = selectors.search_pages(query, language=current_language(), limit=PAGE_RESULTS)
    key = _record(query=query, result=result, source=search.SearchLog.Source.PAGE, recorded=recorded)
    hits = list(zip(result.hits, _result_urls(key, result.hits, query), strict=True))
    alternatives, close = ([], False) if hits else selectors.closest_pages(result)
    context |= {
        "searched": True,
        "result": result,
        "hits": hits,
        "alternatives": alternatives,
        # Pages sharing words with the query: the page says so, rather than "nothing found" above the right one.
        "close": close,
        # The hint about codes missing from the table: only for a query holding a code-shaped string without a
        # page, or one that matched nothing at all (it may be such a code in words we cannot read).
        "code_hint": bool(result.unknown_codes) or not close,
        "contact_url": reverse("tickets:new") + "?" + urlencode({"q": query}),
    }
    return render(request, "kb/search.html", context)


@require_GET
def open_result(request: HttpRequest, log_key: str, position: int) -> HttpResponse:
    """Record which result was opened, then go there.

    A GET on purpose, although it records: result links must stay ordinary links (open in a new tab,
    copy, work without JavaScript). The record is analytics only, counted once per search, and the
    target is the one we signed into the link, so this cannot be turned into an open redirect.
    """
    url, query = request.GET.get("u", ""), request.GET.get("q", "")
    signed = constant_time_compare(request.GET.get("s", ""), _signature(log_key, position, url, query))
    if not signed or not is_local_path(url):
        raise Http404(_("No such result."))
    if Limit("search-open", settings.SEARCH_OPEN_PER_MINUTE, 60, when_down=OPEN).hit(client_address(request)):
        search.open_logged(key=log_key, position=position)
    if "/articles/" in url and "?" not in url:
        # The article carries the search on to the ticket form if it does not help, and shows the menu
        # paths of the terminal the query names ("商米P2结算不了").
        model = selectors.terminal_model_named(query)
        url += "?" + urlencode({"q": query} | ({"terminal": model.slug} if model else {}))
    return redirect(url)


@require_http_methods(["GET", "POST"])
def api(request: HttpRequest) -> HttpResponse:
    """`GET /api/search?q=…&lang=zh-hans|en[&limit=N][&suggest=1]` → results in rank order.

    The same parameters may be POSTed (form-encoded, with the CSRF token): the ticket form's suggestions
    do, so what a merchant is writing never appears in a URL or an access log.
    """
    params = request.POST if request.method == "POST" else request.GET
    form = SearchForm(params)
    if not form.is_valid():
        return JsonResponse({"error": form.errors["q"][0]}, status=400)
    query = mask(form.cleaned_data["q"].strip())
    language = params.get("lang") or current_language()
    if language not in Language.values:
        return JsonResponse({"error": _("lang must be zh-hans or en.")}, status=400)
    try:
        limit = min(max(int(params.get("limit", API_RESULTS)), 1), API_MAX_RESULTS)
    except ValueError:
        return JsonResponse({"error": _("limit must be a whole number.")}, status=400)
    if not query:
        return JsonResponse({"query": query, "exact_match": False, "results": []})
    served, recorded = _search_budget(request)
    if not served:
        return JsonResponse({"error": _("Too many searches. Please wait a minute and try again.")}, status=429)
    result = selectors.search_pages(query, language=language, limit=limit)
    source = search.SearchLog.Source.SUGGEST if params.get("suggest") == "1" else search.SearchLog.Source.API
    key = _record(query=query, result=result, source=source, recorded=recorded)
    urls = _result_urls(key, result.hits, query)
    results = [hit.as_json() | {"open_url": url} for hit, url in zip(result.hits, urls, strict=True)]
    return JsonResponse(
        {"query": query, "exact_match": result.exact, "results": results}, json_dumps_params={"ensure_ascii": False}
    )
