from django.conf import settings
from django.http import HttpResponseRedirect, QueryDict
from django.urls import translate_url
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.encoding import escape_uri_path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, get_language_from_path

from infra.masking import mask


def local_translation(request, language: str) -> str | None:
    """This page's address in another language, or None if it has none.

    Built from the resolved path alone: a path such as "//evil.example/search/" (or its escaped form
    "/%2Fevil.example/search/") would otherwise come back as a scheme-relative URL that browsers follow
    off the site. Whatever the translation gives, only a path on this site is ever returned.
    """
    path = request.path_info
    if not path.startswith("/") or path.startswith(("//", "/\\")) or "\\" in path:
        return None
    translated = translate_url(path, language)
    if translated == path or not is_local_path(translated):
        return None
    query = request.META.get("QUERY_STRING", "")
    return f"{escape_uri_path(translated)}?{query}" if query else escape_uri_path(translated)


def is_local_path(url: str) -> bool:
    """A path on this site: one leading slash, no scheme or host, and none once backslashes are slashes."""
    normalized = url.replace("\\", "/")
    if not normalized.startswith("/") or normalized.startswith("//"):
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts=None)


class RememberedLanguageMiddleware:
    """Send a visitor who chose English back to English pages when they open an unprefixed address.

    With prefix_default_language=False, LocaleMiddleware serves every unprefixed URL in Chinese and
    ignores the language cookie, so the language switch would not survive a bookmark or a typed address.
    Goes after LocaleMiddleware: the unprefixed path must already resolve in the default language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        unprefixed = get_language_from_path(request.path_info) is None
        if unprefixed and request.method in ("GET", "HEAD"):
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            if chosen != settings.LANGUAGE_CODE and chosen and check_for_language(chosen):
                translated = local_translation(request, chosen)
                if translated:
                    response = HttpResponseRedirect(translated)
                    patch_vary_headers(response, ("Cookie",))
                    return response
        response = self.get_response(request)
        if unprefixed:
            # The same address answers differently with the language cookie: keep shared caches honest.
            patch_vary_headers(response, ("Cookie",))
        return response


class CardMaskingMiddleware:
    """Mask card numbers in every query parameter and form field before any view, form or log sees them;
    a page asked for with one in its address is sent on to the masked address.

    Views that take files (multipart bodies) are left to mask their own fields with the intake services:
    reading such a body here would come before their upload limits are in place. Fields whose exact value
    matters (passwords, the CSRF token, keys, addresses, user names) are kept; their forms refuse a card
    number in them with a message instead (infra.validators.no_card_number), since a masked address
    would reach nobody.
    """

    KEPT = frozenset({"csrfmiddlewaretoken", "password", "password1", "password2", "submission_key"})
    KEPT |= frozenset({"email", "username", "contact", "next"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.GET:
            masked = self._masked(request.GET)
            if masked is not request.GET and request.method in ("GET", "HEAD") and not self._api(request):
                # Sent on to the masked address, so the full number stays out of the browser's history and
                # of every access log and Referer after this one.
                return HttpResponseRedirect(f"{escape_uri_path(request.path)}?{masked.urlencode()}")
            request.GET = masked
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            request.POST = self._masked(request.POST)
        return self.get_response(request)

    @staticmethod
    def _api(request) -> bool:
        # A program asking the API gets its answer, computed from the masked values, not a redirect.
        return request.path_info.startswith("/api/")

    def _masked(self, data: QueryDict) -> QueryDict:
        changed = False
        masked = QueryDict(mutable=True, encoding=data.encoding)
        for key, values in data.lists():
            if key not in self.KEPT:
                values, before = [mask(value) for value in values], values
                changed = changed or values != before
            masked.setlist(key, values)
        # Immutable again, as Django hands them to views.
        return QueryDict(masked.urlencode(), encoding=data.encoding) if changed else data


class PrivacyHeadersMiddleware:
    """Permissions-Policy on every response; `Cache-Control: private, no-store` on every page of the
    agent console and of a merchant's tickets (settings.PRIVATE_NAMESPACES), whatever its view sets.

    Keyed by URL namespace rather than a decorator per view, so a page added later is covered too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        match = request.resolver_match
        private = match and settings.PRIVATE_NAMESPACES.intersection(match.namespaces)
        if private and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
