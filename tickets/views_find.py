"""The merchant's tracking links: "Find my ticket" sends one more to the ticket's email, never the ticket
itself; from the tracking page the merchant may revoke every link and get a fresh one; a stopped or
expired link says so, with the Find form, instead of a bare 404."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal import mail
from portal.ratelimit import Limit, client_address
from tickets import services
from tickets.access import TOKEN_PREFIX, LinkGone, links_expired, ticket_for
from tickets.forms import FindTicketForm
from tickets.models import Ticket

# Keyed only on who asks (browser session, address): a stranger's wrong tries never block the owner.
PER_SESSION = Limit("find-ticket-session", 5, 3600)
PER_ADDRESS = Limit("find-ticket-client", 20, 3600)
# Links actually mailed per ticket, so its owner's inbox is not flooded. Only a matching email counts, and
# every link mailed keeps working, so even whoever knows the address cannot lock the owner out with it.
MAILS_PER_TICKET = Limit("find-ticket-mails", 3, 3600)


def _session_key(request: HttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()
        request.session.modified = True  # so the response sets the cookie
    return request.session.session_key or ""


def _attempt(request: HttpRequest) -> int:
    """Count this try (every try, answered or not); seconds to wait when it is over a limit, else 0."""
    keys = ((PER_SESSION, _session_key(request)), (PER_ADDRESS, client_address(request)))
    over = [(limit, key) for limit, key in keys if not limit.hit(key)]
    return max((limit.retry_after(key) for limit, key in over), default=0)


def _send_link(*, reference: str, email: str) -> None:
    ticket = Ticket.objects.filter(reference=reference, email__iexact=email.strip()).first()
    if ticket is None or links_expired(ticket) or not MAILS_PER_TICKET.hit(ticket.reference):
        return  # (an expired ticket's new link would open nothing either)
    token = services.ticket_tracking_link_add(ticket=ticket)
    mail.send_tracking_link(ticket, mail.site_link(reverse("tickets:detail", kwargs={"key": TOKEN_PREFIX + token})))


@never_cache
@require_http_methods(["GET", "POST"])
def ticket_find(request: HttpRequest) -> HttpResponse:
    form = FindTicketForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, "tickets/find.html", {"form": form})
    wait = _attempt(request)
    if wait:
        form.add_error(
            None,
            _("Too many tries. Please try again in %(minutes)d minutes.") % {"minutes": max(1, (wait + 59) // 60)},
        )
        return render(request, "tickets/find.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "tickets/find.html", {"form": form}, status=400)
    reference = form.cleaned_data["reference"]
    if not form.is_email:
        # A phone number cannot receive a link from us: say how to reach support, whether or not it matched.
        return render(request, "tickets/find_phone.html", {"reference": reference, "phone": settings.SUPPORT_PHONE})
    _send_link(reference=reference, email=form.cleaned_data["contact"])
    # The same answer whether or not the pair matched, so references and addresses cannot be probed.
    return render(request, "tickets/find_sent.html", {"reference": reference})


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
    response = render(request, "tickets/link_gone.html", {"reason": reason, "form": FindTicketForm()}, status=410)
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
