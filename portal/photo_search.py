"""The photo search page: a merchant sends a photo of the terminal's screen or a receipt and lands on the
answer ("We read: …", the code's page or the best article first). A plain multipart form, so it works
without JavaScript; the reading itself is tickets.photos (the same upload checks as the ticket form)."""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

import ocr
from infra.i18n import current_language
from infra.ratelimit import OPEN, Limit, client_address
from kb import selectors as kb_selectors
from tickets import photos, uploads

logger = logging.getLogger(__name__)

RESULTS = 5  # a phone screen: the code's page and a few articles, then "type it instead"


def _answer(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    return render(request, "kb/photo_answer.html", context, status=status)


@csrf_exempt
@require_POST
def read(request: HttpRequest) -> HttpResponse:
    """CSRF protection reads the body, so it runs here, after the ticket form's size-limiting upload handler
    is installed (as tickets.views.shared.limit_uploads does)."""
    request.upload_handlers.insert(0, uploads.LimitUploadHandler(request))
    try:
        request.POST, request.FILES  # noqa: B018 -- parsed here to answer a too-large photo in our own words
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
        return _answer(request, {"error": _("The photo is too large. Please send a smaller one.")}, status=413)
    return csrf_protect(_read)(request)


def _read(request: HttpRequest) -> HttpResponse:
    context: dict = {"read": None}
    if not Limit("photo-search", settings.PHOTO_SEARCH_RATE_PER_MINUTE, 60, when_down=OPEN).hit(
        client_address(request)
    ):
        context["error"] = _("Too many photos from your connection. Please wait a minute and try again.")
        return _answer(request, context, status=429)
    upload = request.FILES.get("photo")
    if upload is None:
        context["error"] = _("Please choose a photo of the terminal's screen or of the receipt.")
        return _answer(request, context, status=400)
    try:
        checked = photos.photo_checked(upload)
        photo_text = photos.photo_read(checked)
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        return _answer(request, context, status=400)
    except ocr.Busy:
        context["error"] = _("Many photos are being read right now. Please try again in a few seconds.")
        response = _answer(request, context, status=503)
        response["Retry-After"] = str(settings.OCR_RETRY_AFTER_SECONDS)
        return response
    except ocr.Unavailable:
        context["error"] = _("We could not read the photo just now. Please type what the screen shows instead.")
        return _answer(request, context, status=503)
    query = photos.photo_query(photo_text)
    result = kb_selectors.search_pages(query, language=current_language(), limit=RESULTS) if query else None
    context |= {
        "read": photo_text,
        "lines": photo_text.text.splitlines(),
        "hits": result.hits if result else [],
        "typed": " ".join(photo_text.text.split())[:200],
        "contact_url": _contact_url(request, photo_text, photo=photo_text.redacted or checked, name=upload.name),
    }
    return _answer(request, context)


def _contact_url(request: HttpRequest, read: photos.PhotoText, *, photo: bytes, name: str) -> str:
    """Where "Still not solved" leads: the ticket form with this photo already attached (the blacked-out copy
    when a card number was read), the text read as the description and the code filled in. Kept for this visitor's
    session only; a photo with no text read is not kept (the page offers no form then). If it cannot be
    kept (storage down), the form still gets the text read as the search it came from."""
    if not read.text:
        return ""
    try:
        key = photos.photo_carry_store(photo=photo, name=name, cards=read.cards)
    except (OSError, ValidationError):
        logger.warning("a photo read could not be kept for the ticket form", exc_info=True)
        return reverse("tickets:new") + "?" + urlencode({"q": " ".join(read.text.split())[:200]})
    photos.carry_remember(request.session, key=key, read=read)
    return reverse("tickets:new") + "?" + urlencode({"photo": key})
