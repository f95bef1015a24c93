"""What a merchant sees when a ticket or a reply cannot be saved: the database is unreachable, or the media
disk is full or read-only.

The form comes back filled in (masked, as always) with status 503 and Retry-After, never the generic error
page, and nothing is left half-written: the service's transaction rolled back its rows and
`uploads.store` removed the file it was writing. The page itself reads nothing from the database, which may
be the very thing that is down. Sending again is safe: the form keeps its submission key, so a ticket that
was saved after all (the connection died after the commit) is found and not made twice.
"""

import logging
from functools import wraps

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.csrf import csrf_protect

from tickets import formpage, selectors, services, uploads
from tickets.forms import ReplyForm, TicketForm

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
# OSError: the media disk is full (ENOSPC), read-only (EROFS) or over quota; the rest: the database.
OUTAGES = (OperationalError, InterfaceError, OSError)


def keeps_form(page):
    """Wrap a ticket POST view: on an outage, answer `page(request, *args, **kwargs)` instead of a 500.

    Outermost on the view, so an outage met anywhere (loading the signed-in user, the rate limit's session,
    the service) is caught.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except OUTAGES as error:
                if request.method != "POST":
                    raise
                # The path is not logged: a reply's address holds the private tracking token.
                logger.error("%s could not save: %s: %s", view.__name__, type(error).__name__, error)
                return _unsaved(request, page, *args, **kwargs)

        return wrapper

    return decorate


def _unsaved(request, page, *args, **kwargs):
    _forget_user_if_unreachable(request)
    if not any(isinstance(h, uploads.LimitUploadHandler) for h in request.upload_handlers):
        # The outage came before the view installed its size limit: files must not be kept whole either.
        request.upload_handlers.insert(0, uploads.LimitUploadHandler(request))
    # The view may have failed before its own CSRF check; the page shows posted values, so check here.
    response = csrf_protect(page)(request, *args, **kwargs)
    if response.status_code == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _forget_user_if_unreachable(request) -> None:
    """The page's header asks whether someone is signed in; with the database gone that question fails
    too, so the page is shown as to a visitor (the session cookie is kept for the next try)."""
    try:
        request.user.is_authenticated  # noqa: B018 -- loads the session's user now, where a failure is caught
    except DatabaseError:
        request.user = AnonymousUser()


def _pending_or_none(submission_key: str) -> list:
    # Files kept from an earlier try are listed when the database answers (a full disk), not when it is down.
    try:
        return list(selectors.pending_uploads(submission_key))
    except DatabaseError:
        return []


def new_ticket_page(request):
    """The new-ticket form as it was sent, with the explanation on top."""

    data, _count = services.mask_input(request.POST)
    fixes = data.getlist("tried_fixes")
    form = TicketForm(initial={**data.dict(), "tried_fixes": fixes}, fix_choices=fixes)
    key = formpage.submission_key(request.POST)
    form.initial["submission_key"] = key
    context = formpage.form_context(
        form,
        steps=formpage.step_rows(data.getlist("steps")),
        submission_key=key,
        article=None,
        pending=_pending_or_none(key),
    )
    context["unsaved"] = True
    return formpage.render_form(request, context, 503)


def reply_page(request, key):
    """The reply as it was typed, on a page of its own: the ticket's page needs the database."""
    data, _count = services.mask_input(request.POST)
    context = {
        "reply_form": ReplyForm(initial={"body": data.get("body", "")}),
        "key": key,
        "max_files": settings.TICKET_MAX_FILES,
        "max_file_mb": settings.TICKET_MAX_FILE_BYTES // (1024 * 1024),
        "unsaved": True,
    }
    if "application/json" in request.headers.get("Accept", ""):
        html = render_to_string("tickets/unsaved_reply.html#reply-form", context, request=request)
        return JsonResponse({"errors": {}, "html": html}, status=503)
    response = render(request, "tickets/unsaved_reply.html", context, status=503)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
