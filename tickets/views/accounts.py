"""A merchant's account pages: their tickets, and signing up (sending a ticket needs no account)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from infra.ratelimit import Limit, client_address
from tickets import selectors
from tickets.forms import SignupForm


@login_required
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/list.html", {"tickets": selectors.tickets_of(request.user)})


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("tickets:list")
    # Bound for any POST, even an empty one: the refusal below adds its error to the form.
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not Limit("signup", settings.SIGNUP_PER_HOUR, 3600).hit(client_address(request)):
        form.add_error(None, _("Too many sign-ups from your connection. Please try again in an hour."))
        return render(request, "registration/signup.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="infra.permissions.ModelBackend")
        messages.success(request, _("Your account is ready. Tickets you send while signed in are listed here."))
        return redirect("tickets:list")
    return render(request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200)
