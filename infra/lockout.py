"""Sign-in lockout with django-axes: per account and address together, and a translated lockout page.

Axes counts wrong passwords per (username, address) pair (AXES_LOCKOUT_PARAMETERS in portal/settings.py):
an attacker elsewhere cannot lock a merchant out, and a shop's shared address is not locked for everyone.
"""

from datetime import timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from infra.ratelimit import client_ip


def _remaining(request, username: str) -> timedelta:
    """How long until this account may sign in again from this address.

    The lockout runs from the pair's last counted failure (tries while locked are not counted:
    AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is off), so the time said here does not move.
    """
    cool_off = get_cool_off(request)
    attempts = AccessAttempt.objects.filter(username=username, ip_address=client_ip(request))
    last = attempts.aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return cool_off
    return max(timedelta(minutes=1), last + cool_off - timezone.now())


def lockout_message(request, username: str) -> str:
    remaining = _remaining(request, username)
    minutes = max(1, int((remaining.total_seconds() + 59) // 60))
    return _(
        "Too many failed sign-in attempts for this account from this network. For your security, signing in "
        "is blocked here for %(minutes)d minutes. Please try again then, or contact support if you forgot "
        "your password."
    ) % {"minutes": minutes}


class LockedOutForm(AuthenticationForm):
    """The sign-in form again, with the lockout as its error where both sign-in templates show errors."""

    def __init__(self, request, *, username: str, message: str):
        # Bound, so the error is the form's own; the password is never shown back.
        super().__init__(request, data={"username": username, "password": "-"})
        self.lockout_message = message

    def clean(self):
        raise forms.ValidationError(self.lockout_message, code="locked_out")


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again (the portal's or the admin's), with the lockout explained, status 429."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    message = lockout_message(request, username)
    form = LockedOutForm(request, username=username, message=message)
    if request.path == reverse("admin:login"):
        from django.contrib import admin

        context = {**admin.site.each_context(request), "form": form, "title": _("Log in")}
        return render(request, "admin/login.html", context, status=429)
    context = {"form": form, "lockout_message": message, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)
