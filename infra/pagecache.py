"""Public pages as anonymous visitors see them, rendered once and shared by every web process, in Django's
cache under the content's generations (infra/generations.py). The CSRF token and any other value a
response needs its own of are placeholders in the kept copy, filled in per response; signed-in visitors,
visitors with a message waiting and responses that set a cookie are never served from it nor kept. What
keeps shared HTML safe: docs/performance.md; what changes a page and how stale it may be: docs/caches.md.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import get_language

from infra import generations

GENERATION_KEY = "pagecache:generation"
RENDERING_ATTR = "_pagecache_rendering"
FRESH_ATTR = "_pagecache_fresh"
MAX_PATH_LENGTH = 300


def _placeholder(name: str) -> str:
    return f"pagecache-fresh-{name}-6f1d"


# What {% csrf_token %} writes while a page is rendered for the cache; replaced in every response.
CSRF_PLACEHOLDER = _placeholder("csrf")


def content_changed(*, scope: str | None = None) -> None:
    """Stop serving pages rendered before this change: at once in this process, and for every process
    again once the change is committed.

    With `scope`, only the pages that declared it (e.g. "article:<slug>"); without, every cached page.
    """
    generations.bump(_scope_key(scope) if scope else GENERATION_KEY)


def csrf_placeholder(request) -> dict:
    """Context processor: while a page is rendered for the cache, the CSRF token is the placeholder."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, RENDERING_ATTR, False) else {}


def fresh(request, name: str) -> str:
    """A value every response must have its own of (a form's one-time key, the time now), as named in the
    view's `cached_page(fresh=...)`: a placeholder while the page is rendered for the cache, which each
    response then replaces with a new value; the value itself when the page is rendered for one visitor."""
    if getattr(request, RENDERING_ATTR, False):
        return _placeholder(name)
    return getattr(request, FRESH_ATTR)[name](request)


def _scope_key(scope: str) -> str:
    return f"pagecache:scope:{scope}"


def _lookup(request, *, scope: str | None, variant: str) -> tuple[str, str | None, dict | None]:
    """The page's key, the content versions now and its kept entry if it was rendered at those versions, in
    one round trip; versions None while Redis cannot be reached (render, keep nothing)."""
    address = hashlib.blake2b(request.get_full_path().encode(), digest_size=12).hexdigest()
    key = f"pagecache:page:{get_language()}:{address}:{variant}:{scope or ''}"
    generation_keys = [GENERATION_KEY] + ([_scope_key(scope)] if scope else [])
    versions, found = generations.read(generation_keys, key)
    entry = found.get(key)
    return key, versions, entry if versions is not None and _usable(entry, versions) else None


def _usable(entry: dict | None, versions: str) -> bool:
    return entry is not None and entry["versions"] == versions and timezone.now() < entry["until"]


def _anonymous_without_messages(request) -> bool:
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    may_hold_messages = "messages" in request.COOKIES or settings.SESSION_COOKIE_NAME in request.COOKIES
    if may_hold_messages and len(messages.get_messages(request)):  # counted, not read: they stay for the page
        return False
    return len(request.get_full_path()) <= MAX_PATH_LENGTH


def _etag(entry: dict, request) -> str | None:
    """The page's digest and the CSRF cookie the visitor sent (the page's token was made for it); None on
    a first visit to a page with a token, which `get_token` is about to give a new secret."""
    if "csrf" not in entry["fresh"]:
        return f'W/"{entry["digest"]}"'
    if settings.CSRF_COOKIE_NAME not in request.COOKIES:
        return None
    visitor = request.COOKIES[settings.CSRF_COOKIE_NAME]
    digest = hashlib.blake2b(visitor.encode(), digest_size=6, key=entry["digest"].encode()).hexdigest()
    return f'W/"{entry["digest"]}-{digest}"'


def _storable(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and response.get("Content-Type", "").startswith("text/html")
        and "Cache-Control" not in response
    )


def _entry(response, makers) -> dict:
    body = response.content
    return {
        # The names of the values whose placeholders the page holds, filled in on every response.
        "fresh": sorted(name for name in makers if _placeholder(name).encode() in body),
        "body": body,
        # Headers the view set itself (the middleware adds the rest on every response, hit or miss).
        "headers": dict(response.items()),
        "digest": hashlib.blake2b(body, digest_size=10).hexdigest(),
    }


def _until(expires: Callable[[], datetime | None] | None) -> datetime:
    """Until when a page may be served: the configured time, or sooner when something is due to change by
    itself (a scheduled article goes live without anyone saving anything). Checked against the site's own
    clock on every hit, so the page changes on the minute whatever the cache's clock says."""
    until = timezone.now() + timedelta(seconds=settings.PAGE_CACHE_SECONDS)
    change_at = expires() if expires else None
    return min(until, change_at) if change_at is not None else until


def _fill(request, body: bytes, names) -> bytes:
    for name in names:
        body = body.replace(_placeholder(name).encode(), getattr(request, FRESH_ATTR)[name](request).encode())
    return body


def _serve(request, entry: dict) -> HttpResponse:
    etag = _etag(entry, request)
    # A 304 only for pages whose one fresh value is the token: a one-time form key must be new every time.
    revalidated = get_conditional_response(request, etag=etag) if etag and set(entry["fresh"]) <= {"csrf"} else None
    response = revalidated or HttpResponse(_fill(request, entry["body"], entry["fresh"]), headers=entry["headers"])
    if etag:
        response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response


def cached_page(
    *,
    scope: Callable[..., str] | None = None,
    variant: Callable[..., str] | None = None,
    expires: Callable[[], datetime | None] | None = None,
    bypass: Callable[..., bool] | None = None,
    fresh: dict[str, Callable[..., str]] | None = None,
):
    """Serve a public page from the shared cache to anonymous visitors.

    `scope(**view_kwargs)` names the scope a page belongs to (see `content_changed`),
    `variant(request, **view_kwargs)` the per-visitor choices it shows (a cookie's value), `expires()` when
    it next changes by itself, `bypass(request)` whether this visitor's page is their own (one told to wait),
    `fresh` the values each response needs its own of (see `fresh()`), by name.
    """
    makers = {"csrf": get_token} | (fresh or {})

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            setattr(request, FRESH_ATTR, makers)
            if (
                not settings.PAGE_CACHE_SECONDS
                or not _anonymous_without_messages(request)
                or (bypass and bypass(request))
            ):
                return view(request, *args, **kwargs)
            page_scope = scope(**kwargs) if scope else None
            key, versions, entry = _lookup(
                request, scope=page_scope, variant=variant(request, **kwargs) if variant else ""
            )
            if entry is not None:
                return _serve(request, entry)
            setattr(request, RENDERING_ATTR, True)
            try:
                response = view(request, *args, **kwargs)
            finally:
                setattr(request, RENDERING_ATTR, False)
            if hasattr(response, "render"):
                response = response.render()
            if not _storable(response):
                # Served to this visitor only, with real values in place of the placeholders.
                if not response.streaming:
                    response.content = _fill(request, response.content, makers)
                return response
            # The versions read before rendering: an edit committed meanwhile makes this entry stale at once.
            entry = _entry(response, makers) | {"until": _until(expires), "versions": versions}
            if versions is not None:  # else Redis is unreachable: nothing can be kept, nor trusted later
                cache.set(key, entry, timeout=max(1, int((entry["until"] - timezone.now()).total_seconds())))
            return _serve(request, entry)

        return wrapper

    return decorator
