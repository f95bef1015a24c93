"""Search pages: the results page, the JSON endpoint the suggestions use, and the click-recording redirect."""

from urllib.parse import urlencode

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kb.forms import SearchForm
from kb.models import Language
from kb.search import selectors, services
from kb.search.models import SearchLog
from portal.i18n import current_language

PAGE_RESULTS = 20
API_RESULTS = 8
API_MAX_RESULTS = 20


def _open_url(log: SearchLog, rank: int) -> str:
    return reverse("kb:search_open", kwargs={"log_id": log.pk, "position": rank})


@require_GET
def results(request):
    form = SearchForm(request.GET)
    context = {"form": form, "query": request.GET.get("q", "")[:500], "hits": [], "searched": False}
    if not form.is_valid():
        return render(request, "kb/search.html", context)
    query = form.cleaned_data["q"].strip()
    context["query"] = query
    if not query:
        return render(request, "kb/search.html", context)
    language = current_language()
    result = selectors.search(query, language=language, limit=PAGE_RESULTS)
    log = services.search_log_record(
        query=query,
        normalized=result.query.normalized,
        language=language,
        source=SearchLog.Source.PAGE,
        result_urls=[hit.url for hit in result.hits],
    )
    hits = [(hit, _open_url(log, rank)) for rank, hit in enumerate(result.hits, start=1)]
    alternatives = [] if hits else selectors.alternatives(result)
    context |= {
        "searched": True,
        "result": result,
        "hits": hits,
        "alternatives": alternatives,
        "contact_url": reverse("tickets:new") + "?" + urlencode({"q": query}),
    }
    return render(request, "kb/search.html", context)


@require_GET
def open_result(request, log_id, position):
    """Record which result was opened, then go there.

    A GET on purpose, although it writes: result links must stay ordinary links (open in a new tab,
    copy, work without JavaScript). The write is analytics only, counted once per search, and the
    target comes from the log row we wrote, so this cannot be turned into an open redirect.
    """
    log = get_object_or_404(SearchLog, pk=log_id)
    if not 1 <= position <= len(log.results):
        raise Http404(_("No such result."))
    url = services.search_log_open(log=log, position=position)
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None) or not url.startswith("/"):
        raise Http404(_("No such result."))
    return redirect(url)


@require_GET
def api(request):
    """`GET /api/search?q=…&lang=zh-hans|en[&limit=N][&suggest=1]` → results in rank order."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": form.errors["q"][0]}, status=400)
    query = form.cleaned_data["q"].strip()
    language = request.GET.get("lang") or current_language()
    if language not in Language.values:
        return JsonResponse({"error": _("lang must be zh-hans or en.")}, status=400)
    try:
        limit = min(max(int(request.GET.get("limit", API_RESULTS)), 1), API_MAX_RESULTS)
    except ValueError:
        return JsonResponse({"error": _("limit must be a whole number.")}, status=400)
    if not query:
        return JsonResponse({"query": query, "results": []})
    result = selectors.search(query, language=language, limit=limit)
    source = SearchLog.Source.SUGGEST if request.GET.get("suggest") == "1" else SearchLog.Source.API
    log = services.search_log_record(
        query=query,
        normalized=result.query.normalized,
        language=language,
        source=source,
        result_urls=[hit.url for hit in result.hits],
    )
    results = [hit.as_json() | {"open_url": _open_url(log, rank)} for rank, hit in enumerate(result.hits, start=1)]
    return JsonResponse({"query": query, "results": results}, json_dumps_params={"ensure_ascii": False})
