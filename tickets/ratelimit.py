"""Limits on sending tickets and replies, keyed on who is sending, counted in the shared cache.

Carrier NAT and shop Wi-Fi put many merchants behind one address, so the limits that bite are per
submitter: the account, else the browser session, and for replies the ticket itself (its tracking link).
The address only has a generous ceiling, a backstop against floods. Every key is an identity the sender
controls: nothing a stranger can also type (a terminal's MID/TID) can use up a merchant's limit; repeated
tickets about one terminal are grouped for agents instead (tickets/selectors.py, open_for_terminal).

Every send counts, valid or not (a failed send costs as much to check as a good one), counted and compared
in one atomic step so that concurrent sends cannot all slip under the limit (portal.ratelimit.attempt). A
no-JavaScript step or file button is not a send and never counts. The submitter's own limits are also
checked, without counting, before the request body (and any upload in it) is read: see
`limit_before_upload`. How counting works, and what each limit does while Redis is down: portal/ratelimit.py.
"""

import hashlib
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal import ratelimit
from portal.ratelimit import Limit, client_address

__all__ = ["client_address"]


def _limits() -> dict[str, Limit]:
    # Built on use, so tests (and settings overrides) see the current numbers.
    window = settings.TICKET_RATE_WINDOW_SECONDS
    return {
        "ticket": Limit("ticket-submitter", settings.TICKET_RATE_LIMIT, window),
        "ticket-address": Limit("ticket-address", settings.TICKET_RATE_LIMIT_PER_ADDRESS, window),
        "reply": Limit("reply-ticket", settings.TICKET_REPLY_RATE_LIMIT, window),
        "reply-address": Limit("reply-address", settings.TICKET_RATE_LIMIT_PER_ADDRESS, window),
    }


def _submitter(request, *, create: bool) -> str:
    """The account, else the browser session (created here when `create`, so a cookie-keeping browser is one
    submitter); "" for a visitor without one, who has not sent anything from this browser yet."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    if not request.session.session_key:
        if not create:
            return ""
        request.session.save()
        request.session.modified = True  # so the response sets the cookie
    return f"session:{request.session.session_key}"


@dataclass(frozen=True)
class Sender:
    """What identifies one send: a new ticket (kind="ticket") or a reply to `ticket_key` (kind="reply")."""

    kind: str
    submitter: str
    address: str
    ticket_key: str = ""

    def _keys(self) -> list[tuple[Limit, str]]:
        limits = _limits()
        if self.kind == "reply":
            # Replies have their own counters: a shop's tickets never block its replies, nor the reverse.
            return [(limits["reply"], self.ticket_key), (limits["reply-address"], self.address)]
        by_submitter = [(limits["ticket"], self.submitter)] if self.submitter else []
        return [*by_submitter, (limits["ticket-address"], self.address)]

    def wait(self) -> int:
        """Seconds before this sender may send again; 0 when they may. Counts nothing."""
        return ratelimit.wait(self._keys())

    def attempt(self) -> int:
        """Count one send; seconds to wait when it is over a limit (0: go ahead)."""
        return ratelimit.attempt(self._keys())


def sender(request, *, ticket_key: str = "", sending: bool = True) -> Sender:
    """Who is sending. Only to ask whether they must wait (`sending=False`, e.g. showing the blank form), no
    session is started: a visitor's first page view writes nothing."""
    return Sender(
        kind="reply" if ticket_key else "ticket",
        submitter=_submitter(request, create=sending),
        address=client_address(request),
        # A tracking link is a secret: count under its hash, never the token itself.
        ticket_key=hashlib.sha256(ticket_key.encode()).hexdigest()[:32] if ticket_key else "",
    )


def wait_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return _(
        "You have sent several requests in a short time. You can send again in %(minutes)d minutes; "
        "nothing was lost: your browser's back button brings back what you typed."
    ) % {"minutes": minutes}


def refusal(request, *, key: str, wait: int):
    """429 with when to try again: as JSON for the page's script (the form stays as it is), else as a page."""
    message = wait_message(wait)
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
    refused. Counts nothing: the view counts the send once it knows it is one (`Sender.attempt`).

    Put it outside `limit_uploads` (which reads the body).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            key = kwargs.get("key", "")
            wait = sender(request, ticket_key=key).wait()
            if wait:
                return refusal(request, key=key, wait=wait)
        return view(request, *args, **kwargs)

    return wrapper
