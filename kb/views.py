import re
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infra.i18n import current_language
from infra.pagecache import cached_page
from infra.ratelimit import Limit, client_address
from kb import access, selectors, services
from kb.forms import VoteForm
from kb.images import CONTENT_TYPES, FOLDER
from kb.markdown import split_do_now
from kb.models import Article, Category, ResponseCode

VISITOR_COOKIE = "kb_visitor"
TERMINAL_COOKIE = "kb_terminal"
TERMINAL_PARAM = "terminal"
SLUG_VALUE = re.compile(r"^[-\w]{1,80}$")

# Public pages are shared by every anonymous visitor until the knowledge base changes (infra/pagecache.py).
kb_page = cached_page(expires=selectors.next_scheduled_publish)


def _voted_cookie(slug: str) -> str:
    return f"kb_voted_{slug}"


def _article_scope(*, slug: str) -> str:
    return f"article:{slug}"


def _article_variant(request: HttpRequest, *, slug: str) -> str:
    """What an article shows of the visitor's own: their terminal model and their earlier answer."""
    terminal = request.COOKIES.get(TERMINAL_COOKIE, "")
    voted = request.COOKIES.get(_voted_cookie(slug), "")
    return f"{terminal if SLUG_VALUE.match(terminal) else ''}|{voted if voted in ('yes', 'no') else ''}"


def _article_for(request: HttpRequest, slug: str) -> Article:
    return access.article_for(user=request.user, slug=slug, language=current_language())


@kb_page
def category(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    articles = access.articles_readable_by(user=request.user).in_language(current_language()).filter(category=category)
    return render(request, "kb/category.html", {"category": category, "articles": articles})


def _terminal_choice(request: HttpRequest) -> dict:
    """The merchant's terminal model: picked with ?terminal= (the select works without JavaScript), then
    remembered in a cookie so every article shows its menu paths."""
    models = selectors.published_terminal_models()
    picked = request.GET.get(TERMINAL_PARAM)
    slug = picked if picked is not None else request.COOKIES.get(TERMINAL_COOKIE)
    return {"terminals": models, "terminal": selectors.chosen_terminal_model(models, slug), "picked": picked}


def _remember_terminal(response: HttpResponse, choice: dict) -> None:
    if choice["picked"] is None:
        return
    if choice["terminal"] is None:
        response.delete_cookie(TERMINAL_COOKIE, samesite="Lax")
    else:
        response.set_cookie(
            TERMINAL_COOKIE, choice["terminal"].slug, max_age=365 * 24 * 3600, httponly=True, samesite="Lax"
        )


_CODE_QUERY = re.compile(r"^(?:返回码|应答码|错误码|代码|code)?\s*([0-9A-Z]{2})$", re.IGNORECASE)


def _known_code(article: Article, code: str, query: str) -> str:
    """The response code the merchant saw, when we know it: chosen, or the code they searched for.

    Only one of the article's own codes counts; otherwise we do not guess (the article's first code is
    not what the merchant saw).
    """
    code = (code or "").strip().upper()
    if not code:
        found = _CODE_QUERY.match((query or "").strip())
        code = found.group(1).upper() if found else ""
    return code if code in article.code_list else ""


def _contact_url(article: Article, *, query: str, code: str) -> str:
    params = {"article": article.slug} | ({"code": code} if code else {}) | ({"q": query} if query else {})
    return reverse("tickets:new") + "?" + urlencode(params)


@cached_page(scope=_article_scope, variant=_article_variant, expires=selectors.next_scheduled_publish)
def article(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article_for(request, slug)
    choice = _terminal_choice(request)
    query = request.GET.get("q", "")[:200].strip()
    code = _known_code(article, request.GET.get("code", "")[:4], query)
    do_now_html, rest_html = split_do_now(article.body_html)
    context = {
        "article": article,
        "do_now_html": do_now_html,
        "rest_html": rest_html,
        "related": selectors.related_articles(article),
        "codes": selectors.article_codes(article),
        "votes": selectors.vote_counts(article),
        "voted": request.COOKIES.get(_voted_cookie(article.slug)),
        **choice,
        "came_from_query": query,
        "known_code": code,
        "contact_url": _contact_url(article, query=query, code=code),
    }
    response = render(request, "kb/article.html", context)
    _remember_terminal(response, choice)
    return response


@require_POST
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article_for(request, slug)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(form.errors["helpful"][0]))
        return redirect(article.get_absolute_url() + "#feedback")
    visitor = request.COOKIES.get(VISITOR_COOKIE)
    if not visitor:
        # Each vote without our cookie counts as a new visitor: bound them per address, or a script
        # could vote an article up or down at will.
        if not Limit("vote-new-visitor", settings.VOTE_NEW_VISITOR_PER_HOUR, 3600).hit(client_address(request)):
            messages.error(request, _("Too many votes from your connection. Please try again in an hour."))
            return redirect(article.get_absolute_url() + "#feedback")
        visitor = secrets.token_urlsafe(24)
    helpful = form.cleaned_data["helpful"]
    try:
        services.article_vote(article=article, visitor=visitor[:64], helpful=helpful)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(article.get_absolute_url() + "#feedback")
    if helpful:
        messages.success(request, _("Thank you! Glad the article helped."))
        response = HttpResponseRedirect(article.get_absolute_url() + "#feedback")
    else:
        messages.info(
            request,
            _("Sorry the article did not solve it. Tell us what happened and our support team will help."),
        )
        query = form.cleaned_data["q"].strip()
        code = _known_code(article, form.cleaned_data["code"], query)
        response = HttpResponseRedirect(_contact_url(article, query=query, code=code))
    year = 365 * 24 * 3600
    secure = settings.SESSION_COOKIE_SECURE
    response.set_cookie(VISITOR_COOKIE, visitor, max_age=year, httponly=True, samesite="Lax", secure=secure)
    response.set_cookie(
        _voted_cookie(article.slug), "yes" if helpful else "no", max_age=year, samesite="Lax", secure=secure
    )
    return response


@kb_page
def code_list(request: HttpRequest) -> HttpResponse:
    codes = ResponseCode.objects.filter(is_published=True)
    return render(request, "kb/code_list.html", {"codes": codes})


@kb_page
def code_detail(request: HttpRequest, code: str) -> HttpResponse:
    normalized = code.strip().upper()
    if normalized != code:
        return redirect("kb:code", code=normalized, permanent=True)
    response_code = ResponseCode.objects.filter(code=normalized, is_published=True).first()
    if response_code is None:
        return _unknown_code(request, normalized)
    articles = Article.objects.published().in_language(current_language()).filter(codes__icontains=normalized)
    listing = [a for a in articles.only("slug", "title", "summary", "codes", "language") if normalized in a.code_list]
    return render(
        request,
        "kb/code_detail.html",
        {
            "code": response_code,
            "articles": listing,
            "contact_url": reverse("tickets:new") + "?" + urlencode({"code": normalized}),
        },
    )


_CODE_SHAPE = re.compile(r"^[0-9A-Z]{2}$")


def _unknown_code(request: HttpRequest, code: str) -> HttpResponse:
    """A code-shaped address the table does not have (an acquirer's private code, "/codes/C1/"): the help on
    unknown codes with a search box, still a 404 so the address is not listed as a page of its own."""
    if not _CODE_SHAPE.match(code):
        raise Http404
    help_page = access.article_for(user=request.user, slug=selectors.UNKNOWN_CODES_SLUG, language=current_language())
    do_now_html, rest_html = split_do_now(help_page.body_html)
    context = {
        "code": code,
        "article": help_page,
        "do_now_html": do_now_html,
        "rest_html": rest_html,
        "query": code,
        "contact_url": reverse("tickets:new") + "?" + urlencode({"code": code, "article": help_page.slug}),
    }
    return render(request, "kb/code_unknown.html", context, status=404)


def image(request: HttpRequest, name: str) -> FileResponse:
    """Serve an editor-uploaded image. Only our re-encoded formats exist under kb/; anything else is 404."""
    stem, _dot, extension = name.rpartition(".")
    content_type = CONTENT_TYPES.get(extension)
    if not content_type or not stem or "/" in name or not default_storage.exists(f"{FOLDER}/{name}"):
        raise Http404
    response = FileResponse(default_storage.open(f"{FOLDER}/{name}", "rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
