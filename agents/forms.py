"""The console's forms: the queue's filters (from the query string), bulk actions and saved views."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agents.models import SavedView
from tickets.models import Team, Ticket, agent_status_choices

PAGE_SIZES = (25, 50, 100)
# A bulk action names its tickets explicitly, one page at most.
BULK_MAX = max(PAGE_SIZES)


class View:
    ALL = "all"
    UNASSIGNED = "unassigned"
    MINE = "mine"
    UNREAD = "unread"
    TEAMS = "teams"
    WAITING = "waiting"
    BREACHING = "breaching"
    RECENT = "recent"
    CHOICES = (
        (ALL, _("All tickets")),
        (UNASSIGNED, _("Unassigned")),
        (MINE, _("Mine")),
        (UNREAD, _("Unread")),
        (TEAMS, _("My teams")),
        (WAITING, _("Waiting on merchant")),
        (BREACHING, _("About to breach")),
        (RECENT, _("Recently updated")),
    )


class Sort:
    DUE = "due"
    AGE = "age"
    PRIORITY = "priority"
    UPDATED = "updated"
    CHOICES = (
        (DUE, _("Due time")),
        (AGE, _("Oldest first")),
        (PRIORITY, _("Priority")),
        (UPDATED, _("Last update")),
    )


NO_ASSIGNEE = "none"
NO_TEAM = "none"


def agents_queryset():
    """Everyone a ticket may be assigned to: active staff with the ticket change permission."""
    may_change = (
        Q(is_superuser=True)
        | Q(user_permissions__codename="change_ticket", user_permissions__content_type__app_label="tickets")
        | Q(groups__permissions__codename="change_ticket", groups__permissions__content_type__app_label="tickets")
    )
    return get_user_model().objects.filter(may_change, is_active=True, is_staff=True).distinct().order_by("username")


def agent_label(user) -> str:
    return user.get_full_name() or user.get_username()


def _blank(choices):
    return (("", _("Any")), *choices)


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string; a bad value is a message, never an error page."""

    view = forms.ChoiceField(label=_("View"), choices=View.CHOICES, required=False)
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=_blank(agent_status_choices()), required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=_blank(Ticket.Priority.choices), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    code = forms.CharField(
        label=_("Response code"),
        max_length=4,
        required=False,
        validators=[RegexValidator(r"^[0-9A-Za-z]{1,4}$", _("A response code has 1 to 4 letters or digits."))],
    )
    team = forms.ChoiceField(label=_("Team"), required=False)
    acquirer = forms.CharField(label=_("Acquirer"), max_length=80, required=False)
    terminal = forms.CharField(
        label=_("MID or TID"),
        max_length=15,
        required=False,
        validators=[RegexValidator(r"^[0-9A-Za-z]{1,15}$", _("A MID or TID has only letters and digits."))],
    )
    article = forms.SlugField(label=_("Source article"), max_length=80, required=False)
    created_from = forms.DateField(label=_("Created from"), required=False, widget=forms.DateInput({"type": "date"}))
    created_to = forms.DateField(label=_("Created until"), required=False, widget=forms.DateInput({"type": "date"}))
    sort = forms.ChoiceField(label=_("Sort by"), choices=Sort.CHOICES, required=False)
    size = forms.TypedChoiceField(
        label=_("Per page"), choices=[(n, n) for n in PAGE_SIZES], coerce=int, required=False, empty_value=25
    )

    def __init__(self, *args, agents=(), teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("Any")), *((str(team.pk), team.name) for team in teams)]
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            (NO_ASSIGNEE, _("Nobody")),
            *((str(user.pk), agent_label(user)) for user in agents),
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        data["view"] = data.get("view") or View.ALL
        data["sort"] = data.get("sort") or Sort.DUE
        return data


def team_posted(value: str) -> Team | None:
    """The team a form chose by id ("" for none); a stale or forged id is refused, never a server error."""
    if not value:
        return None
    team = Team.objects.filter(pk=int(value)).first() if value.isdigit() else None
    if team is None:
        raise ValidationError(_("That team does not exist (any more)."))
    return team


class BulkForm(forms.Form):
    """One action on the tickets whose ids were posted; each action reads its own value field."""

    ASSIGN = "assign"
    STATUS = "status"
    PRIORITY = "priority"
    TEAM = "team"
    CLOSE = "close"
    ME = "me"

    action = forms.ChoiceField(
        choices=(
            (ASSIGN, _("Assign")),
            (STATUS, _("Set status")),
            (PRIORITY, _("Set priority")),
            (TEAM, _("Set team")),
            (CLOSE, _("Close")),
        )
    )
    ids = forms.TypedMultipleChoiceField(coerce=int, error_messages={"required": _("Select at least one ticket.")})
    assignee = forms.CharField(max_length=12, required=False)
    status = forms.ChoiceField(choices=_blank(agent_status_choices()), required=False)
    priority = forms.ChoiceField(choices=_blank(Ticket.Priority.choices), required=False)
    # A team's id, or NO_TEAM; checked against the teams by the service's caller (agents/views/bulk.py).
    team = forms.CharField(max_length=12, required=False)
    # The queue's query string, to come back to the same view.
    next = forms.CharField(max_length=2000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is a candidate (at most a page of them); the tickets themselves are looked up by the view.
        posted = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.too_many = len(posted) > BULK_MAX
        self.fields["ids"].choices = [(value, value) for value in posted if value.isdigit()]

    def clean(self):
        data = super().clean()
        if self.too_many:
            raise forms.ValidationError(_("Select at most %(n)s tickets at once."), params={"n": BULK_MAX})
        action = data.get("action")
        if action == self.STATUS and not data.get("status"):
            self.add_error("status", _("Choose a status."))
        if action == self.PRIORITY and not data.get("priority"):
            self.add_error("priority", _("Choose a priority."))
        team = data.get("team") or ""
        if action == self.TEAM and not (team == NO_TEAM or team.isdigit()):
            self.add_error("team", _("Choose a team."))
        assignee = data.get("assignee") or ""
        if action == self.ASSIGN and not (assignee in (self.ME, NO_ASSIGNEE) or assignee.isdigit()):
            self.add_error("assignee", _("Choose an agent."))
        return data


class SavedViewForm(forms.ModelForm):
    class Meta:
        model = SavedView
        fields = ["name"]
