"""The public pages as anonymous visitors see them, rendered once and shared by every web process.

Why: a merchant at the counter opens the same few articles and code pages as thousands of others, and
rendering them (Markdown already stored as HTML, but templates, i18n and a dozen queries) costs far more
than serving them. Pages are kept in Django's cache (Redis in production, so every process and machine
shares one copy and one invalidation), keyed by content generation, language, address and the few
per-visitor choices a page shows (`variant`).

What keeps shared HTML safe:
- Signed-in users, and visitors with a message waiting (the one shown after a vote), always get a freshly
  rendered page: account links and messages are theirs alone.
- The CSRF token is the one per-visitor secret in an anonymous page. Pages are rendered with a placeholder
  in its place and every response gets the visitor's own token, so the cached copy holds none.
- A response that sets a cookie (choosing a terminal model) or is not a 200 is served but never stored.
- Any change to what public pages show calls `content_changed()` after commit; pages rendered before are
  never served again. A change seen by one page only (a vote) bumps that page's scope alone.
- Redis down or slow: every page is rendered from the database for each visitor (still served through
  `_serve`, with its own token), nothing is kept, and pages kept before the outage are never used again
  (portal/generations.py says why and how).

Repeat visits revalidate with the ETag and cost a 304 (`Cache-Control: private, no-cache`: the browser keeps
the page, shared proxies never store it because of the token). The ETag covers the visitor's CSRF cookie
too, so a token rotated since (a sign-in) never revives a page holding the old one.
"""

import hashlib
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from portal import csrf, generations, gzipparts

GENERATION_KEY = "pagecache:generation"
RENDERING_ATTR = "_pagecache_rendering"
FRESH_ATTR = "_pagecache_fresh"
MAX_PATH_LENGTH = 300
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


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
    if "messages" in request.COOKIES:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES and "_messages" in request.session:
        return False
    return len(request.get_full_path()) <= MAX_PATH_LENGTH


def _etag(entry: dict, request) -> str:
    # The secret the visitor's CSRF cookie holds (or will hold from this response on).
    visitor = request.META.get("CSRF_COOKIE", "") if "csrf" in entry["fresh"] else ""
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


def _entry(request, response, makers) -> dict:
    body = response.content
    # The page cut at its placeholders: fixed parts, and between them the names of the values that go there.
    placeholders = {_placeholder(name).encode(): name for name in makers}
    pieces = re.split(b"(" + b"|".join(map(re.escape, placeholders)) + b")", body)
    parts, slots = pieces[0::2], [placeholders[piece] for piece in pieces[1::2]]
    # The values' lengths in bytes, from one of each (a token, a key, a time always has the same length).
    length = {name: len(makers[name](request).encode()) for name in set(slots)}
    lengths = [length[name] for name in slots]
    return {
        "fresh": sorted(length),
        "parts": gzipparts.make(parts, lengths),
        "slots": slots,
        "content_type": response["Content-Type"],
        # Headers the view set itself (the middleware adds the rest on every response, hit or miss).
        "headers": {name: value for name, value in response.items() if name.lower() != "content-type"},
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
    made = None
    if "csrf" in entry["fresh"] and not request.META.get("CSRF_COOKIE"):
        # A first visit, so never a 304: the values now, as making the token starts the secret the ETag is
        # bound to (and the cookie that carries it).
        made = _made(request, entry)
    etag = _etag(entry, request)
    if made is None and etag in request.headers.get("If-None-Match", "") and set(entry["fresh"]) <= {"csrf"}:
        # Only for pages whose one fresh value is the token: a one-time form key must be new every time.
        response = HttpResponseNotModified()
    else:
        made = made or _made(request, entry)
        values = [made[name] for name in entry["slots"]]
        if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
            response = HttpResponse(entry["parts"].gzipped(values))
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(entry["parts"].plain(values))
        response["Content-Type"] = entry["content_type"]
        for name, value in entry["headers"].items():
            response.headers[name] = value
        # GZipMiddleware leaves an encoded response alone and adds this only to those it compresses.
        patch_vary_headers(response, ("Accept-Encoding",))
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _made(request, entry: dict) -> dict[str, bytes]:
    """One value per name for the whole response (a page may hold its token in several forms)."""
    makers = getattr(request, FRESH_ATTR)
    return {name: makers[name](request).encode() for name in entry["fresh"]}


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
    makers = {"csrf": csrf.get_token} | (fresh or {})

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
            entry = _entry(request, response, makers) | {"until": _until(expires), "versions": versions}
            if versions is not None:  # else Redis is unreachable: nothing can be kept, nor trusted later
                cache.set(key, entry, timeout=max(1, int((entry["until"] - timezone.now()).total_seconds())))
            return _serve(request, entry)

        return wrapper

    return decorator
