"""'Find my ticket': a fresh tracking link sent to the email given on the ticket, never the ticket itself."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal import mail
from portal.ratelimit import Limit, client_address
from tickets import services
from tickets.forms import FindTicketForm
from tickets.models import Ticket

PER_CLIENT = Limit("find-ticket-client", 10, 3600)
# Per reference too, so one ticket's owner is not flooded with mail from many addresses.
PER_REFERENCE = Limit("find-ticket-reference", 3, 3600)


def _limited(request, reference: str) -> int:
    """Seconds to wait before trying again; 0 (and the try counted) when it may go ahead."""
    keys = ((PER_CLIENT, client_address(request)), (PER_REFERENCE, reference))
    wait = max(limit.retry_after(key) for limit, key in keys)
    if not wait:
        for limit, key in keys:
            limit.hit(key)
    return wait


def _send_fresh_link(request, *, reference: str, email: str) -> None:
    ticket = Ticket.objects.filter(reference=reference, email__iexact=email.strip()).first()
    if ticket is None:
        return
    token = services.ticket_tracking_token_renew(ticket=ticket)
    url = request.build_absolute_uri(reverse("tickets:detail", kwargs={"key": "t/" + token}))
    mail.send_tracking_link(ticket, url)


@never_cache
@require_http_methods(["GET", "POST"])
def ticket_find(request):
    form = FindTicketForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "tickets/find.html", {"form": form}, status=400 if form.errors else 200)
    reference = form.cleaned_data["reference"]
    wait = _limited(request, reference)
    if wait:
        form.add_error(
            None,
            _("Too many tries. Please try again in %(minutes)d minutes.") % {"minutes": max(1, (wait + 59) // 60)},
        )
        return render(request, "tickets/find.html", {"form": form}, status=429)
    if not form.is_email:
        # A phone number cannot receive a link from us: say how to reach support, whether or not it matched.
        return render(request, "tickets/find_phone.html", {"reference": reference, "phone": settings.SUPPORT_PHONE})
    _send_fresh_link(request, reference=reference, email=form.cleaned_data["contact"])
    # The same answer whether or not the pair matched, so references and addresses cannot be probed.
    return render(request, "tickets/find_sent.html", {"reference": reference})
