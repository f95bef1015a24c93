"""What the intake and tracking views share: their upload limits and what keeps a private page private."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from tickets import uploads
from tickets.formpage import wants_json as _wants_json
from tickets.forms import MAX_STEPS


def private[R: HttpResponseBase](response: R) -> R:
    # Tracking pages carry a secret in their address: keep them out of caches and search engines.
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def uploaded_files(request: HttpRequest) -> list[UploadedFile]:
    return [f for name in ("photos", "images", "logs", "files") for f in request.FILES.getlist(name)]


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
                return too_large(request, key=kwargs.get("key"))
        return csrf_protect(view)(request, *args, **kwargs)

    return wrapper


def too_large(request: HttpRequest, *, key: str | None) -> HttpResponse:
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
    return private(render(request, "tickets/too_large.html", {"message": message, "back_url": back}, status=413))
