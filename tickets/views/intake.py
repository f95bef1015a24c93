"""The ticket form: a merchant files a request (with photos, logs and the steps taken), or finds the answer first."""

import hmac
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from infra import mail, pagecache
from infra.i18n import current_language
from infra.ratelimit import client_address
from kb.models import Article
from tickets import outage, photos, ratelimit, selectors, services
from tickets.access import TOKEN_PREFIX, hash_token
from tickets.formpage import SUBMISSION_KEY
from tickets.formpage import form_context as _form_context
from tickets.formpage import render_form as _render_form
from tickets.formpage import step_rows as _step_rows
from tickets.formpage import submission_key as _submission_key
from tickets.formpage import wants_json as _wants_json
from tickets.forms import TicketForm, compact
from tickets.models import TerminalSticker, Ticket
from tickets.services import TicketDetails
from tickets.views.shared import limit_uploads, uploaded_files

logger = logging.getLogger(__name__)

SESSION_TOKENS = "ticket_tokens"


# --- The form ---------------------------------------------------------------------------------


def _edit_steps(steps: list[str], action: str) -> tuple[list[str], bool]:
    """Apply a no-JavaScript step button: add_step, up:N, down:N or remove:N. Returns (steps, handled)."""
    rows = _step_rows(steps)
    if action == "add_step":
        return _step_rows(steps, extra=1), True
    verb, _sep, index = action.partition(":")
    if verb not in {"up", "down", "remove"} or not index.isdigit() or int(index) >= len(rows):
        return rows, False
    i = int(index)
    if verb == "remove":
        rows.pop(i)
    elif verb == "up" and i > 0:
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
    elif verb == "down" and i + 1 < len(rows):
        rows[i + 1], rows[i] = rows[i], rows[i + 1]
    return _step_rows(rows), True


@dataclass
class Submission:
    """One POST of the ticket form, masked before anything validates or shows it again."""

    key: str
    data: QueryDict
    steps: list[str]
    masked_count: int
    article: Article | None
    form: TicketForm
    files: list[UploadedFile]
    action: str
    notices: list[str] = field(default_factory=list)
    terminals: list[dict] = field(default_factory=list)


def _submission_context(
    sub: Submission,
    *,
    form: TicketForm | None = None,
    steps: list[str] | None = None,
    notices: list[str] | None = None,
    file_errors: Sequence[str] = (),
) -> dict:
    return _form_context(
        form or sub.form,
        steps=_step_rows(sub.steps) if steps is None else steps,
        submission_key=sub.key,
        article=sub.article,
        notices=sub.notices if notices is None else notices,
        file_errors=file_errors,
        terminals=sub.terminals,
    )


def _details(cleaned: dict[str, Any]) -> TicketDetails:
    names = TicketDetails.__dataclass_fields__
    values: dict[str, Any] = {name: cleaned.get(name) for name in names if name in cleaned}
    return TicketDetails(**values)


def _confirmation_url(token: str) -> str:
    return reverse("tickets:sent", kwargs={"key": TOKEN_PREFIX + token})


def _remember_token(request: HttpRequest, submission_key: str, token: str) -> None:
    tokens = request.session.get(SESSION_TOKENS, {})
    tokens[submission_key] = token
    # Only the last few: a session is not an archive of links.
    request.session[SESSION_TOKENS] = dict(list(tokens.items())[-10:])


def _duplicate_response(request: HttpRequest, ticket: Ticket, submission_key: str) -> HttpResponse:
    token = request.session.get(SESSION_TOKENS, {}).get(submission_key)
    if token and hmac.compare_digest(hash_token(token), ticket.access_token_hash):
        url = _confirmation_url(token)
    elif request.user.is_authenticated and ticket.requester_id == request.user.pk:
        url = reverse("tickets:sent", kwargs={"key": ticket.reference})
    else:
        # Without the token we cannot show the private link again; the reference is safe to show.
        return render(request, "tickets/already_sent.html", {"ticket": ticket}, status=200)
    if _wants_json(request):
        return JsonResponse({"redirect": url})
    return redirect(url)


def _told_to_wait(request: HttpRequest) -> bool:
    return bool(ratelimit.wait(request, sending=False))


def sticker_initial(sticker: TerminalSticker) -> dict[str, str]:
    names = ("merchant_id", "terminal_id", "serial_number", "terminal_model", "acquirer")
    return {name: getattr(sticker, name) for name in names if getattr(sticker, name)}


def _own_form(request: HttpRequest) -> bool:
    """A visitor told to wait, or one who scanned a sticker: a form filled with a terminal is rendered each
    time, so a sticker revoked a second ago no longer fills it (revoking bumps no page-cache generation)."""
    return "terminal" in request.GET or "photo" in request.GET or _told_to_wait(request)


# The blank form is the same for every anonymous visitor coming from the same page, but for its one-time
# key: shared from the page cache with that filled in per response. It suggests no time: the merchant picks
# "just now", "earlier today" or "another time" (a prefilled time was silently taken for a fact).
@pagecache.cached_page(bypass=_own_form, fresh={"submission_key": lambda request: secrets.token_urlsafe(24)})
def _blank_form(request: HttpRequest) -> HttpResponse:
    """The empty form, filled in from where the merchant came from (an article, a code, a search)."""
    language = current_language()
    article = selectors.source_article(slug=request.GET.get("article", "")[:80], language=language)
    code = request.GET.get("code", "")[:4].strip().upper()
    query, _count = services.mask_text("search_query", request.GET.get("q", "")[:200].strip())
    # From the photo answer page: its photo attached (kept under its own key), the text read as description.
    photo = photos.carried(request.session, request.GET.get("photo", ""))
    submission_key = request.GET["photo"] if photo is not None else pagecache.fresh(request, "submission_key")
    sticker = selectors.live_sticker(request.GET.get("terminal", ""))
    # A scanned sticker names the terminal; otherwise a signed-in merchant's last one.
    known = sticker_initial(sticker) if sticker else selectors.last_ticket_initial(request.user)
    initial = known | {
        "description": photo["text"] if photo else "",
        "response_code": (photo or {}).get("code") or (code if code.isalnum() else ""),
        "article_slug": article.slug if article else "",
        # The search travels as its own field ("searched for …"), never as words put in the merchant's mouth.
        "search_query": query,
        "submission_key": submission_key,
    }
    form = TicketForm(initial=initial, fix_choices=selectors.article_fixes(article))
    wait = ratelimit.wait(request, sending=False)
    context = _form_context(
        form,
        steps=_step_rows([]),
        submission_key=submission_key,
        article=article,
        # Said before anything is typed or uploaded, not after.
        notices=[ratelimit.wait_message(wait)] if wait else [],
        terminals=selectors.known_terminals(request.user),
        pending=selectors.pending_uploads(submission_key) if photo else [],  # a new key has none
    )
    return render(request, "tickets/new.html", context | {"photo_carried": photo is not None})


def _honeypot(request: HttpRequest) -> HttpResponse:
    # A bot filled the invisible field; answer like a success so it learns nothing.
    logger.info("Ticket honeypot filled by %s", client_address(request))
    return render(request, "tickets/received.html", {})


def _apply_known_terminal(data: QueryDict, terminals: list[dict]) -> None:
    """Without JavaScript, picking one of the merchant's terminals fills its fields on the server.

    The pick wins unless the merchant typed a terminal of their own (fields that match none they know).
    """
    choice = data.get("known_terminal", "")
    if not choice.isdigit() or int(choice) >= len(terminals):
        return
    typed = (compact(data.get("merchant_id", "")), compact(data.get("terminal_id", "")))
    if any(typed) and typed not in {(t["merchant_id"], t["terminal_id"]) for t in terminals}:
        return
    for name, value in terminals[int(choice)].items():
        data[name] = value


def _read_submission(request: HttpRequest, submission_key: str) -> Submission:
    data, masked_count = services.mask_input(request.POST)
    data["submission_key"] = submission_key
    terminals = selectors.known_terminals(request.user)
    _apply_known_terminal(data, terminals)
    steps = data.getlist("steps")
    article = selectors.source_article(slug=data.get("article_slug", "")[:80], language=current_language())
    sub = Submission(
        key=submission_key,
        data=data,
        steps=steps,
        masked_count=masked_count,
        article=article,
        form=TicketForm(data, fix_choices=selectors.article_fixes(article), steps=steps),
        files=uploaded_files(request),
        action=request.POST.get("action", "send"),
        terminals=terminals,
    )
    if masked_count:
        sub.notices.append(
            _(
                "We found a card number in what you wrote and masked it (first 6 and last 4 digits kept). "
                "Please never send full card numbers."
            )
        )
    return sub


def _form_button(request: HttpRequest, sub: Submission) -> HttpResponse:
    """A no-JavaScript button (add/move/remove a step, remove a file): keep everything, show no errors yet."""
    file_errors = services.pending_upload_store(submission_key=sub.key, files=sub.files)
    verb, _sep, index = sub.action.partition(":")
    if verb == "remove_file" and index.isdigit():
        services.pending_upload_remove(submission_key=sub.key, pk=int(index))
        steps = _step_rows(sub.steps)
    else:
        steps, _handled = _edit_steps(sub.steps, sub.action)
    unbound = TicketForm(initial=sub.data.dict(), fix_choices=selectors.article_fixes(sub.article))
    unbound.initial["tried_fixes"] = sub.data.getlist("tried_fixes")
    context = _submission_context(sub, form=unbound, steps=steps, file_errors=file_errors)
    return render(request, "tickets/new.html", context)


def _form_again(request: HttpRequest, sub: Submission, status: int = 400) -> HttpResponse:
    """The form with its errors; files that were fine are kept (the others refused again) so they need not be
    chosen again."""
    file_errors = services.pending_upload_store(submission_key=sub.key, files=sub.files)
    context = _submission_context(sub, notices=sub.notices + sub.form.notices, file_errors=file_errors)
    return _render_form(request, context, status)


def _create(request: HttpRequest, sub: Submission) -> HttpResponse:
    def tracking_url(token: str) -> str:
        # Emailed: on the configured site address, never on the request's Host header.
        return mail.site_link(reverse("tickets:detail", kwargs={"key": TOKEN_PREFIX + token}))

    try:
        ticket = services.ticket_create(
            requester=request.user,
            details=_details(sub.form.cleaned_data),
            submission_key=sub.key,
            files=sub.files,
            pending_key=sub.key,
            language=current_language(),
            already_masked=sub.masked_count,
            tracking_url=tracking_url,
        )
    except ValidationError as error:
        errors: dict[str | None, list[str]] = {None: error.messages}
        if hasattr(error, "error_dict"):
            errors = dict(error.message_dict.items())
        errors.pop("files", None)
        for name, msgs in errors.items():
            for message in msgs:
                sub.form.add_error(name if name in sub.form.fields else None, message)
        return _form_again(request, sub)
    token = getattr(ticket, "access_token", None)
    if token is None:  # a concurrent duplicate won
        return _duplicate_response(request, ticket, sub.key)
    _remember_token(request, sub.key, token)
    url = _confirmation_url(token)
    if _wants_json(request):
        return JsonResponse({"redirect": url})
    return redirect(url)


@never_cache
@outage.keeps_form(outage.new_ticket_page)
@ratelimit.limit_before_upload
@limit_uploads
@require_http_methods(["GET", "POST"])
def ticket_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _blank_form(request)
    if request.POST.get("website"):
        return _honeypot(request)
    submission_key = _submission_key(request.POST)
    existing = Ticket.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return _duplicate_response(request, existing, submission_key)
    sub = _read_submission(request, submission_key)
    if sub.action != "send":
        return _form_button(request, sub)
    wait = ratelimit.attempt(request)  # every send counts, valid or not
    if wait:
        if _wants_json(request):
            return ratelimit.refusal(request, key="", wait=wait)
        # Known only once the body is read: what was typed and the files are kept.
        sub.notices.append(ratelimit.wait_message(wait))
        return _form_again(request, sub, status=429)
    if not sub.form.is_valid():
        return _form_again(request, sub)
    return _create(request, sub)


@require_POST
def ticket_deflect(request: HttpRequest) -> HttpResponse:
    """ "This solved it": count a deflected ticket instead of creating one, and say thank you."""
    language = current_language()
    slug = request.POST.get("article", "")[:80]
    url = request.POST.get("url", "")
    if not slug and url:
        found = re.search(r"/articles/([-\w]+)/", urlparse(url).path)
        slug = found.group(1) if found else ""
    article = selectors.source_article(slug=slug, language=language)
    submission_key = request.POST.get("submission_key", "")
    services.deflection_record(
        article_slug=article.slug if article else "",
        query=request.POST.get("q", "") or request.POST.get("description", ""),
        response_code=request.POST.get("code", "").strip().upper(),
        language=language,
        submission_key=submission_key if SUBMISSION_KEY.match(submission_key) else "",
    )
    return render(request, "tickets/deflected.html", {"article": article})
