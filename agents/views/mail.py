"""Unmatched mail: replies by email that could not be added to a ticket by themselves (a stranger's address,
an altered reply address, a closed ticket). An agent adds each to a ticket or discards it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agents.access import AgentRequest, agent_required
from tickets import selectors, services
from tickets.access import agent_ticket_for
from tickets.models import InboundMail


@agent_required
@require_GET
def mail_list(request: AgentRequest) -> HttpResponse:
    context = {"mails": selectors.unmatched_mails(), "section": "mail"}
    return render(request, "agents/mail.html", context)


def _waiting(pk: int) -> InboundMail:
    return get_object_or_404(InboundMail, pk=pk, status=InboundMail.Status.UNMATCHED)


@agent_required
@require_POST
def mail_attach(request: AgentRequest, pk: int) -> HttpResponse:
    mail = _waiting(pk)
    reference = request.POST.get("reference", "").strip().upper()[:24]
    try:
        ticket = agent_ticket_for(user=request.user, reference=reference)
    except Http404:
        messages.error(request, _("No ticket has the reference %(reference)s.") % {"reference": reference or "—"})
        return redirect("agents:mail")
    try:
        services.inbound_mail_attach(actor=request.user, mail=mail, ticket=ticket)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    except PermissionDenied:
        messages.error(request, _("You may read tickets but not change them."))
    else:
        messages.success(request, _("The email was added to %(reference)s.") % {"reference": ticket.reference})
    return redirect("agents:mail")


@agent_required
@require_POST
def mail_discard(request: AgentRequest, pk: int) -> HttpResponse:
    mail = _waiting(pk)
    try:
        services.inbound_mail_discard(actor=request.user, mail=mail)
    except PermissionDenied:
        messages.error(request, _("You may read tickets but not change them."))
    else:
        messages.success(request, _("The email was discarded."))
    return redirect("agents:mail")
