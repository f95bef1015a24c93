"""'Find my ticket': a fresh tracking link sent to the email given on the ticket, never the ticket itself."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal import mail
from tickets import ratelimit, services
from tickets.forms import FindTicketForm
from tickets.models import Ticket

FIND_LIMIT_PER_CLIENT = 10
FIND_LIMIT_PER_REFERENCE = 3
FIND_WINDOW_SECONDS = 3600


def _limited(request, reference: str) -> int:
    client = ratelimit.client_id(request)
    wait = ratelimit.hit(f"find:ip:{client}", limit=FIND_LIMIT_PER_CLIENT, window=FIND_WINDOW_SECONDS)
    # Per reference too, so one ticket's owner is not flooded with mail from many addresses.
    return wait or ratelimit.hit(f"find:ref:{reference}", limit=FIND_LIMIT_PER_REFERENCE, window=FIND_WINDOW_SECONDS)


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
