"""Sign-in lockout with django-axes: two limits (per account, per address) and a translated lockout page."""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.forms.utils import ErrorDict, ErrorList
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.ratelimit import client_address


def client_ip(request) -> str | None:
    """The same client address the portal's other limits use (the proxy's last hop when behind one).

    None when there is no usable address (a request built in code, as for client.force_login): axes stores
    the address in an IP field, which PostgreSQL checks.
    """
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class LockoutHandler(AxesDatabaseHandler):
    """Axes compares one failure count with one limit; the portal has a lower one per account and a higher
    one per address. The address count is scaled so that reaching its own limit reaches axes' limit."""

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        scaled = by_address * settings.AXES_FAILURE_LIMIT // settings.SIGNIN_ADDRESS_FAILURE_LIMIT
        return max(by_account, scaled)


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed sign-in attempts. For your security, signing in is blocked for %(minutes)d minutes. "
        "Please try again later, or contact support if you forgot your password."
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again (the portal's or the admin's), with the lockout explained, status 429."""
    message = lockout_message()
    form = AuthenticationForm(request)
    # Shown as the form's own error, where both sign-in templates show errors.
    form._errors = ErrorDict({"__all__": ErrorList([message])})
    if request.path == reverse("admin:login"):
        from django.contrib import admin

        context = {**admin.site.each_context(request), "form": form, "title": _("Log in")}
        return render(request, "admin/login.html", context, status=429)
    context = {"form": form, "lockout_message": message, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)
