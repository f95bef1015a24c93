"""Bench only: the portal's URLs behind one fixed 5,120-byte HTML page (see bench/overlay.py)."""

from django.http import HttpResponse
from django.urls import path

from portal import urls as portal_urls

_HEAD = "<!doctype html><html><head><meta charset=utf-8><title>bare</title></head><body><pre>"
_TAIL = "</pre></body></html>"
BODY = (_HEAD + ("0123456789abcdef" * 400)[: 5120 - len(_HEAD) - len(_TAIL)] + _TAIL).encode()


def bare5k(request):
    # The best any Django page can do here: the full middleware stack, no database, no template.
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("__bench__/bare5k/", bare5k), *portal_urls.urlpatterns]
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500
