from urllib.parse import urlsplit

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views import i18n
from django.views.decorators.http import require_GET

from infra.i18n import current_language
from infra.pagecache import cached_page
from kb import selectors
from kb.forms import SearchForm
from kb.models import Article
from tickets.access import is_agent


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
    """Django's sign-in; with no page to go back to, an agent lands on the console, everyone else at home."""

    def get_default_redirect_url(self) -> str:
        if is_agent(self.request.user):
            return reverse("agents:queue")
        return super().get_default_redirect_url()


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
