"""portal.csrf makes the tokens of cached pages: Django's own middleware must accept them."""

import secrets

from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CsrfViewMiddleware
from django.test import RequestFactory

from portal import csrf


def _view(request):
    return HttpResponse("ok")


def _accepted(token: str, cookie: str) -> bool:
    request = RequestFactory().post("/", {"csrfmiddlewaretoken": token})
    request.COOKIES["csrftoken"] = cookie
    middleware = CsrfViewMiddleware(_view)
    middleware.process_request(request)
    return middleware.process_view(request, _view, (), {}) is None


def test_a_first_visit_gets_a_new_secret_and_its_cookie_with_a_token_the_middleware_accepts():
    request = RequestFactory().get("/")
    middleware = CsrfViewMiddleware(_view)
    middleware.process_request(request)
    token = csrf.get_token(request)
    response = middleware.process_response(request, HttpResponse())
    cookie = response.cookies["csrftoken"].value
    assert cookie == request.META["CSRF_COOKIE"] and len(cookie) == 32 and len(token) == 64
    assert set(token + cookie) <= set(CSRF_ALLOWED_CHARS)
    assert _accepted(token, cookie) and not _accepted(csrf.get_token(RequestFactory().get("/")), cookie)


def test_a_returning_visitor_keeps_their_secret_and_each_token_differs():
    secret = "a" * 32
    request = RequestFactory().get("/")
    request.COOKIES["csrftoken"] = secret
    CsrfViewMiddleware(_view).process_request(request)
    first, second = csrf.get_token(request), csrf.get_token(request)
    assert request.META["CSRF_COOKIE"] == secret and first != second
    assert _accepted(first, secret) and _accepted(second, secret)


def test_bytes_past_the_last_whole_alphabet_are_dropped_not_folded(monkeypatch):
    # 256 is not a multiple of 62: folding 248..255 onto the first characters would favour them.
    draws = iter([bytes(range(248, 256)) * 5, bytes([0, 61, 62, 123]) * 10])
    monkeypatch.setattr(secrets, "token_bytes", lambda n: next(draws))
    chars = csrf._random_string(32)
    assert chars == (CSRF_ALLOWED_CHARS[0] + CSRF_ALLOWED_CHARS[61]) * 16
