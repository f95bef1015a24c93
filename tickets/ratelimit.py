"""The limits on sending tickets and replies: which limits a send counts against, keyed on who is sending.
Configuration only: the counting is infra/ratelimit.py's.

Carrier NAT and shop Wi-Fi put many merchants behind one address, so the limits that bite are per
submitter: the account, else the browser session, and for replies the ticket itself (its tracking link).
The address only has a generous ceiling, a backstop against floods. Every key is an identity the sender
controls: nothing a stranger can also type (a terminal's MID/TID) can use up a merchant's limit; repeated
tickets about one terminal are grouped for agents instead (tickets/selectors.py, open_for_terminal).

Every send counts, valid or not (a failed send costs as much to check as a good one); a no-JavaScript step
or file button is not a send and never counts. The submitter's own limits are also checked, without
counting, before the request body (and any upload in it) is read: see `limit_before_upload`.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from infra import ratelimit
from infra.ratelimit import Limit, client_address


def session_key(request: HttpRequest, *, create: bool = True) -> str:
    """The browser session's key, the session started here when `create` (so the response sets its cookie
    and a cookie-keeping browser is one sender); "" for a visitor without one when not `create`."""
    if not request.session.session_key and create:
        request.session.save()
        request.session.modified = True
    return request.session.session_key or ""


def sends(request: HttpRequest, *, ticket_key: str = "", sending: bool = True) -> list[tuple[Limit, str]]:
    """The limits one send counts against, each with its key. Only to ask whether the sender must wait
    (`sending=False`, e.g. showing the blank form), no session is started: a first page view writes nothing."""
    if request.user.is_authenticated:
        submitter = f"user:{request.user.pk}"
    else:
        key = session_key(request, create=sending)
        submitter = f"session:{key}" if key else ""
    # Read on every send, so tests (and settings overrides) see the current numbers.
    window, per_address = settings.TICKET_RATE_WINDOW_SECONDS, settings.TICKET_RATE_LIMIT_PER_ADDRESS
    address = client_address(request)
    if ticket_key:  # replies have their own counters: a shop's tickets never block its replies, nor the reverse
        # A tracking link is a secret: count under its hash, never the token itself.
        hashed = hashlib.sha256(ticket_key.encode()).hexdigest()[:32]
        return [
            (Limit("reply-ticket", settings.TICKET_REPLY_RATE_LIMIT, window), hashed),
            (Limit("reply-address", per_address, window), address),
        ]
    mine = [(Limit("ticket-submitter", settings.TICKET_RATE_LIMIT, window), submitter)] if submitter else []
    return [*mine, (Limit("ticket-address", per_address, window), address)]


def wait(request: HttpRequest, *, ticket_key: str = "", sending: bool = True) -> int:
    """Seconds before this sender may send again; 0 when they may. Counts nothing."""
    return ratelimit.wait(sends(request, ticket_key=ticket_key, sending=sending))


def attempt(request: HttpRequest, *, ticket_key: str = "") -> int:
    """Count one send; seconds to wait when it is over a limit (0: go ahead)."""
    return ratelimit.attempt(sends(request, ticket_key=ticket_key))


def wait_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return _(
        "You have sent several requests in a short time. You can send again in %(minutes)d minutes; "
        "nothing was lost: your browser's back button brings back what you typed."
    ) % {"minutes": minutes}


def refusal(request: HttpRequest, *, key: str, wait: int) -> HttpResponse:
    """429 with when to try again: as JSON for the page's script (the form stays as it is), else as a page."""
    message = wait_message(wait)
    response: HttpResponse
    if "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"error": message, "retry_after": wait}, status=429)
    else:
        back = reverse("tickets:detail", kwargs={"key": key}) if key else reverse("tickets:new")
        response = render(request, "tickets/rate_limited.html", {"message": message, "back_url": back}, status=429)
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store, private"
    return response


def limit_before_upload(view):
    """Refuse a send already over its limit before the body is read, so nobody waits for an upload to be
    refused. Counts nothing: the view counts the send once it knows it is one (`attempt`).
    Put it outside `limit_uploads` (which reads the body)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = kwargs.get("key", "")
        if request.method == "POST" and (seconds := wait(request, ticket_key=key)):
            return refusal(request, key=key, wait=seconds)
        return view(request, *args, **kwargs)

    return wrapper
