from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import translate_url
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.encoding import escape_uri_path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, get_language_from_path


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
