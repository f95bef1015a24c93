import hmac
import logging
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infra import mail, pagecache
from infra.flash import notice_sent, placed_messages
from infra.i18n import current_language
from infra.ratelimit import client_address
from kb.models import Article
from tickets import outage, photos, ratelimit, selectors, services, uploads
from tickets.access import TOKEN_PREFIX, attachment_for, hash_token, ticket_for
from tickets.formpage import SUBMISSION_KEY
from tickets.formpage import form_context as _form_context
from tickets.formpage import render_form as _render_form
from tickets.formpage import step_rows as _step_rows
from tickets.formpage import submission_key as _submission_key
from tickets.formpage import wants_json as _wants_json
from tickets.forms import MAX_STEPS, ReplyForm, TicketForm, compact
from tickets.models import TerminalSticker, Ticket
from tickets.qr import qr_data_uri
from tickets.services import TicketDetails

logger = logging.getLogger(__name__)

SESSION_TOKENS = "ticket_tokens"
INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp"}


# --- The form ---------------------------------------------------------------------------------


def _uploads(request: HttpRequest) -> list[UploadedFile]:
    return [f for name in ("photos", "images", "logs", "files") for f in request.FILES.getlist(name)]


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


def limit_uploads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Install the size-limiting upload handler before anything reads the request body.

    CSRF protection reads the body, so it has to run after the handler is installed: the view is exempted
    from the middleware's check and protected here instead, in the right order.
    """

    @wraps(view)
    @csrf_exempt
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.upload_handlers.insert(0, uploads.LimitUploadHandler(request))
        if request.method == "POST":
            try:
                request.POST, request.FILES  # noqa: B018 -- parse here to answer in the form's own words
            except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
                return _too_large(request, key=kwargs.get("key"))
        return csrf_protect(view)(request, *args, **kwargs)

    return wrapper


def _too_large(request: HttpRequest, *, key: str | None) -> HttpResponse:
    """Django's limits on a request's fields refuse it before any form sees it; say so in the merchant's
    language instead of a bare "Bad Request". Nothing was kept, so send them back to what they typed."""
    message = _(
        "This was too much to send at once: a very long text, too many steps or more than %(files)d files. "
        "Nothing was sent. Go back, shorten the text, keep at most %(steps)d steps and %(files)d files, "
        "then send again."
    ) % {"files": settings.TICKET_MAX_FILES, "steps": MAX_STEPS}
    if _wants_json(request):
        return JsonResponse({"error": message}, status=413)
    back = reverse("tickets:detail", kwargs={"key": key}) if key else reverse("tickets:new")
    return _private(render(request, "tickets/too_large.html", {"message": message, "back_url": back}, status=413))


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
        files=_uploads(request),
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


# --- Tracking ---------------------------------------------------------------------------------


def _survivor_reference(request: HttpRequest, ticket: Ticket) -> str:
    """Where a merged request goes on, named only to the signed-in owner of that other request: anyone else
    holding this link learns nothing of it, not even its reference."""
    if ticket.merged_into_id is None or not request.user.is_authenticated:
        return ""
    survivor = Ticket.objects.filter(pk=ticket.merged_into_id, requester=request.user)
    return survivor.values_list("reference", flat=True).first() or ""


def _detail_context(request: HttpRequest, key: str, ticket: Ticket, **extra: Any) -> dict:
    """The merchant's page: this view is never the agents' (they have the admin, later the console).

    It opens with what is new: support's latest answer (marked while the merchant has not seen it) and,
    after a resolution, whether it helped."""
    conversation = selectors.public_messages(ticket)
    answer = selectors.latest_answer(conversation)
    return {
        "ticket": ticket,
        "key": key,
        "survivor_reference": _survivor_reference(request, ticket),
        "conversation": conversation,
        "answer": answer,
        "answer_unseen": selectors.answer_unseen(ticket, answer),
        "feedback_open": services.feedback_open(ticket),
        "reply_form": extra.pop("reply_form", None) or ReplyForm(),
        "tracking_url": request.build_absolute_uri(request.path) if key.startswith(TOKEN_PREFIX) else "",
        "max_files": settings.TICKET_MAX_FILES,
        "max_file_mb": settings.TICKET_MAX_FILE_BYTES // (1024 * 1024),
        "max_total_mb": settings.TICKET_MAX_TOTAL_BYTES // (1024 * 1024),
        **placed_messages(request),
        **extra,
    }


def _merchant(request: HttpRequest, ticket: Ticket) -> User | None:
    """Who the merchant is in the ticket's history: the signed-in owner, or nobody for a link holder."""
    user = request.user
    return user if isinstance(user, User) and user.pk == ticket.requester_id else None


def _private[R: HttpResponseBase](response: R) -> R:
    # Tracking pages carry a secret in their address: keep them out of caches and search engines.
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def ticket_detail(request: HttpRequest, key: str) -> HttpResponse:
    ticket = ticket_for(user=request.user, key=key)
    context = _detail_context(request, key, ticket)
    response = render(request, "tickets/detail.html", context)
    if context["answer_unseen"]:
        # Shown now, so seen from the next visit on; only this first showing writes.
        services.ticket_answer_seen(ticket=ticket, answered_at=context["answer"].created_at)
    return _private(response)


@require_GET
def ticket_sent(request: HttpRequest, key: str) -> HttpResponse:
    ticket = ticket_for(user=request.user, key=key)
    # Only what the merchant sent or can see: card numbers masked in an internal note's files are not theirs.
    masked_in_files = sum(a.masked_count for a in ticket.attachments.merchant_visible())
    tracking_url = request.build_absolute_uri(reverse("tickets:detail", kwargs={"key": key}))
    context = _detail_context(
        request,
        key,
        ticket,
        tracking_url=tracking_url,
        masked_total=ticket.masked_count + masked_in_files,
        qr_data_uri=qr_data_uri(tracking_url) if key.startswith(TOKEN_PREFIX) else "",
        in_wechat="MicroMessenger" in request.headers.get("User-Agent", ""),
    )
    return _private(render(request, "tickets/sent.html", context))


@require_POST
@outage.keeps_form(outage.reply_page)
@ratelimit.limit_before_upload
@limit_uploads
def ticket_reply(request: HttpRequest, key: str) -> HttpResponse:
    ticket = ticket_for(user=request.user, key=key)
    wait = ratelimit.attempt(request, ticket_key=key)  # every send counts, valid or not
    if wait:
        return ratelimit.refusal(request, key=key, wait=wait)
    # The form shows back a masked copy; the service masks (and counts) what it stores itself.
    display, _count = services.mask_input(request.POST)
    form = ReplyForm(display)
    message = None
    if form.is_valid():
        try:
            message = services.ticket_reply(
                ticket=ticket,
                author=_merchant(request, ticket),
                body=request.POST.get("body", ""),
                files=_uploads(request),
            )
        except ValidationError as error:
            for name, msgs in (error.message_dict if hasattr(error, "error_dict") else {None: error.messages}).items():
                for text in msgs:
                    form.add_error("body" if name == "body" else None, text)
    if message is None:
        context = _detail_context(request, key, ticket, reply_form=form)
        if _wants_json(request):
            errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
            html = render_to_string("tickets/_reply_section.html#reply-form", context, request=request)
            return JsonResponse({"errors": errors, "html": html}, status=400)
        return _private(render(request, "tickets/detail.html", context, status=400))
    if message.masked_count:
        masked = _("We found a card number in your message and masked it. Please never send full card numbers.")
        notice_sent(request, masked, message_pk=message.pk, level=messages.WARNING)
    else:
        notice_sent(request, _("Your message was sent."), message_pk=message.pk)
    url = reverse("tickets:detail", kwargs={"key": key}) + f"#message-{message.pk}"  # the notice is beside it
    if _wants_json(request):
        return JsonResponse({"redirect": url})
    return redirect(url)


def _change_status(request: HttpRequest, key: str, change: Callable[..., Ticket], done_message: str) -> HttpResponse:
    ticket = ticket_for(user=request.user, key=key)
    try:
        change(ticket=ticket, actor=_merchant(request, ticket))
        messages.success(request, done_message)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("tickets:detail", key=key)


@require_POST
def ticket_close(request: HttpRequest, key: str) -> HttpResponse:
    return _change_status(
        request,
        key,
        services.ticket_close,
        _("The ticket is closed. You can reopen it here if the problem comes back."),
    )


@require_POST
def ticket_reopen(request: HttpRequest, key: str) -> HttpResponse:
    return _change_status(
        request, key, services.ticket_reopen, _("The ticket is open again. Tell us what happened below.")
    )


@require_POST
def ticket_feedback(request: HttpRequest, key: str) -> HttpResponse:
    """ "Did this solve it?" after a resolution: one tap; "not solved" reopens it with the comment."""
    ticket = ticket_for(user=request.user, key=key)
    helped = request.POST.get("helped", "")
    if helped not in ("yes", "no"):
        messages.error(request, _("Choose “Solved” or “Not solved”."))
        return redirect(reverse("tickets:detail", kwargs={"key": key}) + "#feedback")
    try:
        services.ticket_feedback_give(
            ticket=ticket,
            actor=_merchant(request, ticket),
            helped=helped == "yes",
            comment=request.POST.get("comment", "")[: services.MAX_FEEDBACK_COMMENT + 1],
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("tickets:detail", key=key)
    if helped == "yes":
        messages.success(request, _("Thank you! We are glad it is solved."))
        return redirect("tickets:detail", key=key)
    messages.success(request, _("Your request is open again and support has your comment. We will answer here."))
    return redirect(reverse("tickets:detail", kwargs={"key": key}) + "#conversation")


def _file_response(name: str, *, content_type: str, download_name: str | None) -> FileResponse:
    if not name or not default_storage.exists(name):
        raise Http404
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=download_name is not None,
        filename=download_name or "",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def attachment_download(request: HttpRequest, key: str, pk: int) -> FileResponse:
    attachment = attachment_for(user=request.user, key=key, pk=pk)
    return _file_response(attachment.file, content_type=attachment.content_type, download_name=attachment.original_name)


@require_GET
def attachment_thumbnail(request: HttpRequest, key: str, pk: int) -> FileResponse:
    attachment = attachment_for(user=request.user, key=key, pk=pk)
    # Only our own re-encoded image types are ever shown inline.
    if attachment.kind != "image" or attachment.content_type not in INLINE_IMAGE_TYPES or not attachment.thumbnail:
        raise Http404
    return _file_response(attachment.thumbnail, content_type=attachment.content_type, download_name=None)


@require_GET
def pending_thumbnail(request: HttpRequest, submission_key: str, pk: int) -> FileResponse:
    """Preview of a photo already accepted for a form that is being filled in; the key is the secret."""
    uploads = selectors.pending_uploads(submission_key) if SUBMISSION_KEY.match(submission_key) else []
    upload = next((u for u in uploads if u.pk == pk), None)
    if upload is None or upload.content_type not in INLINE_IMAGE_TYPES or not upload.thumbnail:
        raise Http404
    return _file_response(upload.thumbnail, content_type=upload.content_type, download_name=None)
