"""Search pages. Replaced by the full pipeline's views."""

from django.http import Http404, JsonResponse
from django.shortcuts import render

from kb.forms import SearchForm


def results(request):
    form = SearchForm(request.GET)
    return render(request, "kb/search.html", {"form": form, "results": [], "query": ""})


def open_result(request, log_id, position):
    raise Http404


def api(request):
    return JsonResponse({"query": request.GET.get("q", ""), "results": []})
