from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import translate_url
from django.utils.cache import patch_vary_headers
from django.utils.translation import check_for_language, get_language_from_path


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
                current = request.get_full_path()
                translated = translate_url(current, chosen)
                if translated != current:
                    response = HttpResponseRedirect(translated)
                    patch_vary_headers(response, ("Cookie",))
                    return response
        response = self.get_response(request)
        if unprefixed:
            # The same address answers differently with the language cookie: keep shared caches honest.
            patch_vary_headers(response, ("Cookie",))
        return response
