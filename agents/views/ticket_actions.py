"""What an agent does on a ticket page: each a POST through a tickets service, then back to the page."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from agents.access import AgentRequest, agent_required
from agents.forms import team_posted
from agents.presence import presence_of, presence_report
from infra.flash import notice_sent
from tickets import classify, services
from tickets.access import agent_ticket_for
from tickets.models import Ticket, TicketMessage
from tickets.services.knowledge import article_from_reply
from tickets.services.routing import ticket_team_set
from tickets.services.workflow import ticket_merge


def _back(ticket: Ticket, anchor: str = "") -> HttpResponseRedirect:
    return redirect(reverse("agents:ticket", kwargs={"reference": ticket.reference}) + anchor)


def _error(request: AgentRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


def _run(
    request: AgentRequest, ticket: Ticket, action: Callable[[], object], done: str, anchor: str = ""
) -> HttpResponseRedirect:
    """Do one service call; a refused or invalid change is reported on the page, never a server error."""
    try:
        action()
    except ValidationError as error:
        _error(request, error)
    except PermissionDenied:
        messages.error(request, _("You may read tickets but not change them."))
    else:
        messages.success(request, done)
    return _back(ticket, anchor)


def _files(request: AgentRequest) -> list:
    return request.FILES.getlist("files")


# A reply refused (empty, a file too large) is said in the composer, where the agent is looking.
COMPOSER_TAG = "composer"


@agent_required
@require_POST
def ticket_reply(request: AgentRequest, reference: str) -> HttpResponse:
    """A public reply or an internal note, chosen by the composer's mode; back at the message just sent."""
    ticket = agent_ticket_for(user=request.user, reference=reference)
    note = request.POST.get("kind") == "note"
    write = services.ticket_note_add if note else services.ticket_agent_reply
    try:
        message = write(ticket=ticket, agent=request.user, body=request.POST.get("body", ""), files=_files(request))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text, extra_tags=COMPOSER_TAG)
        return _back(ticket, "#composer")
    except PermissionDenied:
        messages.error(request, _("You may read tickets but not change them."))
        return _back(ticket)
    done = _("Internal note added. The merchant does not see it.") if note else _("Reply sent to the merchant.")
    notice_sent(request, done, message_pk=message.pk)  # shown beside the message, where the page opens
    return _back(ticket, f"#message-{message.pk}")


def _assignee(request: AgentRequest) -> User | None:
    # "Assign to me" is a button in the same form as the menu: the browser sends both values.
    values = request.POST.getlist("assignee")
    if "me" in values:
        return request.user
    value = values[0] if values else ""
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError(_("Choose one of the offered values."))
    user = get_user_model().objects.filter(pk=int(value), is_active=True).first()
    if user is None:
        raise ValidationError(_("Tickets can only be assigned to support agents."))
    return user


@agent_required
@require_POST
def ticket_assign(request: AgentRequest, reference: str) -> HttpResponse:
    ticket = agent_ticket_for(user=request.user, reference=reference)
    return _run(
        request,
        ticket,
        lambda: services.ticket_assign(ticket=ticket, agent=request.user, assignee=_assignee(request)),
        _("Assignment saved."),
    )


@agent_required
@require_POST
def ticket_team(request: AgentRequest, reference: str) -> HttpResponse:
    ticket = agent_ticket_for(user=request.user, reference=reference)
    return _run(
        request,
        ticket,
        lambda: ticket_team_set(ticket=ticket, agent=request.user, team=team_posted(request.POST.get("team", ""))),
        _("Team saved."),
    )


def _field_setter(
    service: Callable[..., Ticket], field: str, done: str | Promise
) -> Callable[[HttpRequest, str], HttpResponse]:
    """A view that sets one field of the ticket through its workflow service (status, priority)."""

    @agent_required
    @require_POST
    def view(request: AgentRequest, reference: str) -> HttpResponse:
        ticket = agent_ticket_for(user=request.user, reference=reference)
        value = request.POST.get(field, "")
        return _run(request, ticket, lambda: service(ticket=ticket, agent=request.user, **{field: value}), str(done))

    view.__name__ = f"ticket_{field}"
    return view


ticket_status = _field_setter(services.ticket_status_set, "status", gettext_lazy("Status saved."))
ticket_priority = _field_setter(services.ticket_priority_set, "priority", gettext_lazy("Priority saved."))


@agent_required
@require_POST
def ticket_merge_into(request: AgentRequest, reference: str) -> HttpResponse:
    ticket = agent_ticket_for(user=request.user, reference=reference)
    target = request.POST.get("into", "").strip().upper()
    try:
        into = agent_ticket_for(user=request.user, reference=target)
    except Http404:
        messages.error(request, _("No ticket has the reference %(reference)s.") % {"reference": target[:20]})
        return _back(ticket)
    response = _run(
        request,
        ticket,
        lambda: ticket_merge(ticket=ticket, into=into, agent=request.user),
        _("Merged into %(reference)s.") % {"reference": into.reference},
    )
    ticket.refresh_from_db(fields=["merged_into"])
    return _back(into) if ticket.merged_into_id == into.pk else response


@agent_required
@require_POST
def ticket_classification(request: AgentRequest, reference: str) -> HttpResponse:
    ticket = agent_ticket_for(user=request.user, reference=reference)
    return _run(
        request,
        ticket,
        lambda: classify.classification_review(
            ticket=ticket,
            agent=request.user,
            article_slug=request.POST.get("article_slug", ""),
            response_code=request.POST.get("response_code", ""),
        ),
        _("Thank you: the suggestion was reviewed."),
        "#suggestion",
    )


@agent_required
@require_POST
def ticket_suggestion_compute(request: AgentRequest, reference: str) -> HttpResponse:
    """For a ticket the classification task has not reached (an older ticket, a worker behind): compute now."""
    ticket = agent_ticket_for(user=request.user, reference=reference, related=("classification",))
    return _run(
        request,
        ticket,
        lambda: classify.suggestion_compute(ticket=ticket, agent=request.user),
        _("The suggestion was computed."),
        "#suggestion",
    )


@agent_required
@require_POST
def ticket_tracking_link(request: AgentRequest, reference: str) -> HttpResponse:
    """Send the merchant a fresh tracking link; the links they already have keep working."""
    ticket = agent_ticket_for(user=request.user, reference=reference)
    return _run(
        request,
        ticket,
        lambda: services.ticket_tracking_link_send(ticket=ticket, agent=request.user),
        _("A new tracking link is on its way to the merchant. Their earlier links keep working."),
    )


@agent_required
@require_POST
def ticket_article(request: AgentRequest, reference: str, message_pk: int) -> HttpResponse:
    """Knowledge capture: a draft article from one of support's public answers on this ticket."""
    ticket = agent_ticket_for(user=request.user, reference=reference)
    message = TicketMessage.objects.filter(ticket=ticket, pk=message_pk).first()
    if message is None:
        raise Http404
    return _run(
        request,
        ticket,
        lambda: article_from_reply(ticket=ticket, message=message, agent=request.user),
        _("A draft article was created from this answer. Editors review and publish it in the administration."),
        f"#message-{message.pk}",
    )


@agent_required
@require_POST
def ticket_presence(request: AgentRequest, reference: str) -> HttpResponse:
    """The page reports that this agent is viewing or typing; the answer names the other agents present."""
    ticket = agent_ticket_for(user=request.user, reference=reference)
    others = presence_report(ticket_pk=ticket.pk, user=request.user, state=request.POST.get("state", ""))
    return JsonResponse({"others": others}, headers={"Cache-Control": "no-store"})


@agent_required
@require_GET
def ticket_presence_list(request: AgentRequest, reference: str) -> HttpResponse:
    ticket = agent_ticket_for(user=request.user, reference=reference)
    return JsonResponse(
        {"others": presence_of(ticket_pk=ticket.pk, user=request.user)}, headers={"Cache-Control": "no-store"}
    )
