"""The merchant's tracking links: "Find my ticket" sends one more to the ticket's email, never the ticket
itself, or, for a mobile number, a one-time code by SMS that opens one more link (tickets/services/finding.py);
from the tracking page the merchant may revoke every link and get a fresh one; a stopped or expired link says
so, with the Find form, instead of a bare 404."""

from collections.abc import Callable
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from infra import mail, sms
from infra.ratelimit import Limit, attempt, client_address
from tickets import services
from tickets.access import TOKEN_PREFIX, LinkGone, links_expired, ticket_for
from tickets.forms import FindCodeForm, FindTicketForm
from tickets.ratelimit import session_key
from tickets.selectors import ticket_to_find
from tickets.services import finding

# Keyed only on who asks (browser session, address): a stranger's wrong tries never block the owner.
PER_SESSION = Limit("find-ticket-session", 5, 3600)
PER_ADDRESS = Limit("find-ticket-client", 20, 3600)
# Links actually mailed per ticket, so its owner's inbox is not flooded. Only a matching email counts, and
# every link mailed keeps working, so even whoever knows the address cannot lock the owner out with it.
MAILS_PER_TICKET = Limit("find-ticket-mails", 3, 3600)
# Codes entered, per browser session and per address: with FIND_CODE_ATTEMPTS per code, a million codes
# are out of reach.
CODE_TRIES_PER_SESSION = Limit("find-code-session", 10, 3600)
CODE_TRIES_PER_ADDRESS = Limit("find-code-client", 30, 3600)
SESSION_CODE = "find_code_id"


def _attempt(request: HttpRequest) -> int:
    """Count this try (every try, answered or not); seconds to wait when it is over a limit, else 0."""
    return attempt([(PER_SESSION, session_key(request)), (PER_ADDRESS, client_address(request))])


def _too_many(form: forms.Form, wait: int) -> None:
    form.add_error(
        None, _("Too many tries. Please try again in %(minutes)d minutes.") % {"minutes": max(1, (wait + 59) // 60)}
    )


def _send_link(*, reference: str, email: str) -> None:
    ticket = ticket_to_find(lookup=reference, email=email)
    if ticket is None or links_expired(ticket) or not MAILS_PER_TICKET.hit(ticket.reference):
        return  # (an expired ticket's new link would open nothing either)
    token = services.ticket_tracking_link_add(ticket=ticket)
    mail.send_tracking_link(ticket, mail.site_link(reverse("tickets:detail", kwargs={"key": TOKEN_PREFIX + token})))


def _support() -> dict:
    return {"phone": settings.SUPPORT_PHONE}


@never_cache
@require_http_methods(["GET", "POST"])
def ticket_find(request: HttpRequest) -> HttpResponse:
    form = FindTicketForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "sms_on": sms.enabled()}
    if request.method != "POST":
        return render(request, "tickets/find.html", context)
    wait = _attempt(request)
    if wait:
        _too_many(form, wait)
        return render(request, "tickets/find.html", context, status=429)
    if not form.is_valid():
        return render(request, "tickets/find.html", context, status=400)
    reference = form.cleaned_data["reference"]
    if form.is_email:
        _send_link(reference=reference, email=form.cleaned_data["contact"])
        # The same answer whether or not the pair matched, so references and addresses cannot be probed.
        return render(request, "tickets/find_sent.html", {"reference": reference})
    if not sms.enabled():
        # No SMS here: say how to reach support, whether or not it matched.
        return render(request, "tickets/find_phone.html", {"reference": reference, **_support()})
    return _send_code(request, reference, form.cleaned_data["contact"])


def _send_code(request: HttpRequest, reference: str, phone: str) -> HttpResponse:
    # Codes per number are limited where they are sent (the task): a limit here, counted for any reference,
    # would let a stranger who knows only the number keep its owner from getting a code.
    row = finding.find_code_issue(lookup=reference, phone=phone)
    request.session[SESSION_CODE] = row.pk
    # The same page whether or not the pair matched: the code goes only to a matching number.
    return redirect("tickets:find_code")


@never_cache
@require_http_methods(["GET", "POST"])
def ticket_find_code(request: HttpRequest) -> HttpResponse:
    """Step two of "Find my request" by phone: the code from the SMS opens one more tracking link."""
    code_id = request.session.get(SESSION_CODE)
    if code_id is None:
        return redirect("tickets:find")
    form = FindCodeForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, "tickets/find_code.html", {"form": form})
    wait = attempt([(CODE_TRIES_PER_SESSION, session_key(request)), (CODE_TRIES_PER_ADDRESS, client_address(request))])
    if wait:
        _too_many(form, wait)
        return render(request, "tickets/find_code.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "tickets/find_code.html", {"form": form}, status=400)
    token = finding.find_code_redeem(code_id=code_id, code=form.cleaned_data["code"])
    if token is None:
        form.add_error("code", _("This code is wrong or has expired. Check the SMS, or ask for a new code."))
        return render(request, "tickets/find_code.html", {"form": form}, status=400)
    del request.session[SESSION_CODE]
    messages.success(request, _("This page's address is your new link: keep it. Links sent before keep working."))
    response = redirect("tickets:detail", key=TOKEN_PREFIX + token)
    response["Cache-Control"] = "no-store, private"
    return response


@require_safe
def short_link(request: HttpRequest, token: str) -> HttpResponse:
    """The short address an SMS carries (/t/<token>) leads to the tracking page, in the ticket's language.
    A link that does not open a ticket goes to the same place, whose gate answers for it."""
    key = TOKEN_PREFIX + token
    try:
        language = ticket_for(user=AnonymousUser(), key=key).language
    except Http404:
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        response = redirect("tickets:detail", key=key)
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_POST
def tracking_links_revoke(request: HttpRequest, key: str) -> HttpResponse:
    """The merchant stops every link to their ticket (one they shared or fear was seen) and gets a new one."""
    ticket = ticket_for(user=request.user, key=key)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that the links you have now should stop working."))
        return redirect(reverse("tickets:detail", kwargs={"key": key}) + "#links")
    token = services.ticket_tracking_links_revoke(ticket=ticket, actor=request.user)
    messages.success(
        request,
        _("Every earlier link to this request has stopped working. This page's address is the new link: keep it."),
    )
    new_key = TOKEN_PREFIX + token if key.startswith(TOKEN_PREFIX) else key
    response = redirect("tickets:detail", key=new_key)
    response["Cache-Control"] = "no-store, private"
    return response


def link_gone_page(request: HttpRequest, reason: str) -> HttpResponse:
    """What a stopped or expired link shows: why, and the form that sends a working one."""
    context = {"reason": reason, "form": FindTicketForm(), "sms_on": sms.enabled()}
    response = render(request, "tickets/link_gone.html", context, status=410)
    response["Cache-Control"] = "no-store, private"
    return response


def explains_gone_links(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a tracking page so a link that worked once explains itself; unknown links stay a plain 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except LinkGone as gone:
            return link_gone_page(request, gone.reason)

    return wrapper
