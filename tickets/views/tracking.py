"""The tracking page a merchant reaches by their private link: the conversation, replies, close, reopen, rating."""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from infra.flash import notice_sent, placed_messages
from tickets import outage, ratelimit, selectors, services
from tickets.access import TOKEN_PREFIX, ticket_for
from tickets.formpage import wants_json as _wants_json
from tickets.forms import ReplyForm
from tickets.models import Ticket
from tickets.qr import qr_data_uri
from tickets.views.shared import limit_uploads, private, uploaded_files

logger = logging.getLogger(__name__)


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


@require_GET
def ticket_detail(request: HttpRequest, key: str) -> HttpResponse:
    ticket = ticket_for(user=request.user, key=key)
    context = _detail_context(request, key, ticket)
    response = render(request, "tickets/detail.html", context)
    if context["answer_unseen"]:
        # Shown now, so seen from the next visit on; only this first showing writes.
        services.ticket_answer_seen(ticket=ticket, answered_at=context["answer"].created_at)
    return private(response)


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
    return private(render(request, "tickets/sent.html", context))


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
                files=uploaded_files(request),
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
        return private(render(request, "tickets/detail.html", context, status=400))
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
