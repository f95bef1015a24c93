from typing import Literal, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse, translate_url
from django.utils import translation
from django.views import i18n
from django.views.decorators.http import require_GET

from agents.selectors import console_language
from infra.i18n import current_language
from infra.pagecache import cached_page
from kb import selectors
from kb.forms import SearchForm
from kb.models import Article
from tickets.access import is_agent

type SameSite = Literal["Lax", "Strict", "None"] | None


@cached_page(expires=selectors.next_scheduled_publish)
def home(request):
    language = current_language()
    hub = Article.objects.published().in_language(language).filter(slug=selectors.HUB_SLUG).first()
    context = {
        "form": SearchForm(),
        "hub": hub,
        "codes": selectors.common_codes(),
        "categories": selectors.categories_with_articles(language=language),
    }
    return render(request, "home.html", context)


class SignInView(auth_views.LoginView):
    """Django's sign-in; with no page to go back to, an agent lands on the console, everyone else at home.

    An agent who chose a language for the console (agents.AgentPreference) is sent on in it: the address
    translated (/agent/ ↔ /en/agent/) and the language cookie set, as Django's own set_language does."""

    def get_default_redirect_url(self) -> str:
        if is_agent(self.request.user):
            return reverse("agents:queue")
        return super().get_default_redirect_url()

    def form_valid(self, form):
        response = super().form_valid(form)  # signs in, so the preference below is the agent's own
        language = console_language(user=self.request.user) if is_agent(self.request.user) else None
        if language:
            response["Location"] = _in_language(response["Location"], language)
            translation.activate(language)
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                # The settings hold "Lax" (a plain str to the type checker; set_cookie names its choices).
                samesite=cast(SameSite, settings.LANGUAGE_COOKIE_SAMESITE),
            )
        return response


def _in_language(url: str, language: str) -> str:
    """`url` in `language` (its path resolved in the language of its own prefix, as set_language below)."""
    with translation.override(translation.get_language_from_path(urlsplit(url).path) or settings.LANGUAGE_CODE):
        return translate_url(url, language)


@require_GET
def robots(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /tickets/", "Disallow: /en/tickets/"]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def set_language(request):
    """Django's set_language, with `next` resolved in the language of its own address.

    Django resolves `next` in the request's language, which for /i18n/setlang/ is always the default
    (Chinese): an /en/ address then does not resolve and the switch back to Chinese stayed on English.
    """
    next_url = request.POST.get("next", request.GET.get("next")) or ""
    language = translation.get_language_from_path(urlsplit(next_url).path)
    if language is None:
        return i18n.set_language(request)
    with translation.override(language):
        return i18n.set_language(request)


def page_not_found(request, exception):
    return render(request, "404.html", {"form": SearchForm()}, status=404)


def server_error(request):
    return render(request, "500.html", status=500)
