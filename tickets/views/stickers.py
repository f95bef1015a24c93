"""A terminal's QR sticker, scanned on a phone: the portal opens in the phone's language with that terminal
known: its menu paths, the common problems, a ticket form already filled with it, and (for its signed-in
owner) the terminal's recent tickets."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kb import selectors as kb_selectors
from tickets import selectors
from tickets.models import TerminalSticker
from tickets.services.stickers import sticker_scanned


def _gone(request: HttpRequest, sticker: TerminalSticker | None) -> HttpResponse:
    # Unknown and revoked links answer alike except for the status: a revoked sticker was real (410).
    status = 410 if sticker is not None else 404
    return render(request, "tickets/sticker_gone.html", {"revoked": sticker is not None}, status=status)


@never_cache
@require_GET
def scan(request: HttpRequest, token: str) -> HttpResponse:
    """The printed short link: counted, then sent on to the terminal's page in the phone's language (the
    language cookie if the visitor chose one here before, else the phone's Accept-Language)."""
    sticker = TerminalSticker.objects.filter(token=token[:16]).first()
    with translation.override(translation.get_language_from_request(request, check_path=False)):
        if sticker is None or sticker.revoked_at is not None:
            # The short link has no language of its own: a lost sticker's page, too, in the phone's.
            request.LANGUAGE_CODE = translation.get_language()
            return _gone(request, sticker)
        sticker_scanned(sticker=sticker)
        return HttpResponseRedirect(reverse("tickets:terminal", kwargs={"token": sticker.token}))


@never_cache
@require_GET
def terminal(request: HttpRequest, token: str) -> HttpResponse:
    sticker = TerminalSticker.objects.filter(token=token[:16]).first()
    if sticker is None or sticker.revoked_at is not None:
        return _gone(request, sticker)
    models = kb_selectors.published_terminal_models()
    model = kb_selectors.chosen_terminal_model(models, sticker.model_slug)
    context = {
        "sticker": sticker,
        "terminal": model,
        "terminals": [],  # the page shows this terminal's paths only, without the model picker
        "codes": kb_selectors.common_codes(),
        "hub_slug": kb_selectors.HUB_SLUG,
        "recent": selectors.terminal_tickets_of(request.user, sticker=sticker),
        "form_url": reverse("tickets:new") + f"?terminal={sticker.token}",
    }
    return render(request, "tickets/terminal.html", context)
