from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from infra.admin_services import ReadOnlyAdminMixin, ServiceAdminMixin
from tickets import selectors, services
from tickets.details import Kind, Section, detail_kind, detail_names
from tickets.models import (
    Attachment,
    BusinessCalendar,
    BusinessHours,
    CannedReply,
    Deflection,
    Holiday,
    InboundMail,
    NoticeDelivery,
    RoutingRule,
    ServiceTarget,
    Team,
    Ticket,
    TicketErasure,
    TicketEvent,
    TicketMessage,
)
from tickets.services import policy, routing

# What agents may change in the admin, each through its workflow service.
ADMIN_EDITABLE = ("status", "priority", "assignee")
# The merchant's details in the sections tickets/details.py declares, in its order, with what the admin adds.
DETAIL_SECTIONS = {
    Section.CONTACT: _("Contact"),
    Section.TERMINAL: _("Terminal"),
    Section.EVENT: _("What happened"),
    Section.TRANSACTION: _("Transaction"),
}
DETAIL_EXTRAS = {Section.EVENT: ["masked"]}


def _admin_field(name: str) -> str:
    """A list (steps taken, fixes tried) is shown as a numbered list by the `<name>_list` display method."""
    return f"{name}_list" if detail_kind(name) == Kind.LIST else name


def _steps(values) -> str:
    """A list the merchant gave (steps taken, fixes tried) as a numbered list, not as JSON."""
    items = [str(value) for value in values or [] if str(value).strip()]
    if not items:
        return "—"
    return format_html('<ol class="ticket-steps">{}</ol>', format_html_join("", "<li>{}</li>", ((i,) for i in items)))


class ReadOnlyInline(admin.TabularInline):
    """What belongs to a ticket is shown, never added or edited here: messages, files and events are written
    by the services (which mask, store files safely and record the change)."""

    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TicketMessageInline(ReadOnlyInline):
    model = TicketMessage
    fields = ["sent_at", "author_role", "sender", "body", "is_internal"]

    @admin.display(description=_("sent at"))
    def sent_at(self, message):
        return message.created_at

    @admin.display(description=_("author"))
    def sender(self, message):
        return message.author or "—"


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["download", "kind_label", "content_type_label", "size_label", "masked_label", "sha256_label"]

    @admin.display(description=_("file"))
    def download(self, attachment):
        # Files are served only through the access-checked view, never from a media URL.
        url = reverse("tickets:attachment", kwargs={"key": attachment.ticket.reference, "pk": attachment.pk})
        return format_html('<a href="{}">{}</a>', url, attachment.original_name)

    # The stored-file fields have no labels of their own (they are shared with pending uploads), so the
    # admin names them here, and shows the size in KB or MB.
    @admin.display(description=_("kind"))
    def kind_label(self, attachment):
        return attachment.get_kind_display()

    @admin.display(description=_("file type"))
    def content_type_label(self, attachment):
        return attachment.content_type

    @admin.display(description=_("size"))
    def size_label(self, attachment):
        return filesizeformat(attachment.size)

    @admin.display(description=_("card numbers masked"))
    def masked_label(self, attachment):
        return attachment.masked_count

    @admin.display(description=_("SHA-256 checksum"))
    def sha256_label(self, attachment):
        return attachment.sha256


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["created_at", "actor_kind", "actor_name", "kind", "old_value", "new_value"]

    @admin.display(description=_("author"))
    def actor_name(self, event):
        return event.actor or "—"


@admin.register(Ticket)
class TicketAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "status",
        "priority",
        "created_at",
        "merchant_id",
        "terminal_id",
        "response_code",
        "phone",
    ]
    list_filter = ["status", "priority", "response_code", "created_at"]
    search_fields = ["reference", "phone", "email", *detail_names(searched=True)]
    date_hierarchy = "created_at"
    list_select_related = ["requester"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "status",
                    "priority",
                    "assignee",
                    "requester",
                    "language",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
        (
            _("Time targets"),
            {"fields": ["first_response_due", "resolution_due", "first_responded_at", "resolved_at", "waiting_since"]},
        ),
        *(
            (title, {"fields": [*map(_admin_field, detail_names(section=section)), *DETAIL_EXTRAS.get(section, [])]})
            for section, title in DETAIL_SECTIONS.items()
        ),
    ]
    # What the merchant sent is evidence: agents change only the status, priority and assignee here.
    readonly_fields = [
        name for _title, options in fieldsets for name in options["fields"] if name not in ADMIN_EDITABLE
    ]
    inlines = [TicketMessageInline, AttachmentInline, TicketEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would take the ticket's history with it, whoever asks (superusers too): a removal for a
        # data-protection request goes through `manage.py ticket_erase`, which leaves a TicketErasure.
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            kwargs["queryset"] = selectors.ticket_workers()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def service_save(self, request, obj, form, change):
        """Each changed field goes through its workflow service, which locks the row and records the event;
        the admin never saves the ticket itself. (Nothing here deletes a ticket: see has_delete_permission.)"""
        with transaction.atomic():
            if "status" in form.changed_data:
                services.ticket_status_set(ticket=obj, agent=request.user, status=form.cleaned_data["status"])
            if "priority" in form.changed_data:
                services.ticket_priority_set(ticket=obj, agent=request.user, priority=form.cleaned_data["priority"])
            if "assignee" in form.changed_data:
                services.ticket_assign(ticket=obj, agent=request.user, assignee=form.cleaned_data["assignee"])
        return obj

    @admin.display(description=_("steps taken"))
    def steps_list(self, ticket):
        return _steps(ticket.steps)

    @admin.display(description=_("suggested fixes already tried"))
    def tried_fixes_list(self, ticket):
        return _steps(ticket.tried_fixes)

    @admin.display(description=_("card numbers masked"))
    def masked(self, ticket):
        return ticket.masked_count


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every email received at the reply address and what became of it (agents handle the unmatched ones in
    the console); read only, as the inbound service is the only writer."""

    list_display = ["received_at", "sender", "subject", "status", "reason"]
    list_filter = ["status"]
    search_fields = ["sender", "subject"]
    fields = readonly_fields = [*list_display, "body", "refused_files"]


@admin.register(TicketErasure)
class TicketErasureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The record of erased tickets: read only, as it is the trace of a deletion."""

    list_display = ["reference", "actor_username", "created_at", "messages", "attachments", "files"]
    search_fields = ["reference", "actor_username"]
    fields = readonly_fields = [*list_display, "events", "reason"]


def _titled(title):
    """A filter on a field's values under a translated title (the Deflection fields have no labels)."""

    class Filter(admin.AllValuesFieldListFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Filter


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin):
    list_display = ["when", "article", "search", "code", "language_code"]
    list_filter = [("language", _titled(_("language"))), ("article_slug", _titled(_("article")))]
    search_fields = ["query", "article_slug"]
    fields = readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("when"), ordering="created_at")
    def when(self, deflection):
        return deflection.created_at

    @admin.display(description=_("article"), ordering="article_slug")
    def article(self, deflection):
        return deflection.article_slug

    @admin.display(description=_("search query"))
    def search(self, deflection):
        return deflection.query

    @admin.display(description=_("response code"))
    def code(self, deflection):
        return deflection.response_code

    @admin.display(description=_("language"))
    def language_code(self, deflection):
        return deflection.language


@admin.register(CannedReply)
class CannedReplyAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["title", "language", "is_active", "updated_at"]
    list_filter = ["language", "is_active"]
    search_fields = ["title", "body"]
    fields = ["title", "language", "body", "is_active"]

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        return services.canned_reply_save(
            agent=request.user,
            title=data["title"],
            body=data["body"],
            language=data["language"],
            is_active=data["is_active"],
            reply=obj if change else None,
        )

    def service_delete(self, request, obj):
        services.canned_reply_delete(agent=request.user, reply=obj)


# --- Time targets: every write goes through tickets/services/policy.py ------------------------------


@admin.register(ServiceTarget)
class ServiceTargetAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["priority", "first_response_minutes", "resolution_hours"]

    def service_save(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("priority", "first_response_minutes", "resolution_hours")}
        if change:
            return policy.service_target_update(actor=request.user, target=obj, **data)
        return policy.service_target_set(actor=request.user, **data)

    def service_delete(self, request, obj):
        policy.service_target_delete(actor=request.user, target=obj)


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["name", "timezone"]
    inlines = [BusinessHoursInline, HolidayInline]

    def service_save(self, request, obj, form, change):
        data = {"name": form.cleaned_data["name"], "timezone": form.cleaned_data["timezone"]}
        if change:
            return policy.business_calendar_update(actor=request.user, calendar=obj, **data)
        return policy.business_calendar_create(actor=request.user, **data)

    def service_delete(self, request, obj):
        policy.business_calendar_delete(actor=request.user, calendar=obj)

    def service_save_rows(self, request, form, formset, change):
        """Opening hours and holidays are set and removed through their services, row by row."""
        calendar = form.instance
        for row in formset.forms:
            data = getattr(row, "cleaned_data", None)
            if not data or (not row.has_changed() and not data.get("DELETE")):
                continue
            if formset.model is BusinessHours:
                self._hours_row(request.user, calendar, row, data)
            else:
                self._holiday_row(request.user, calendar, row, data)

    # A row's stored weekday or date is in `row.initial`: the form has already put the new one on the instance.
    @staticmethod
    def _hours_row(actor, calendar, row, data):
        stored = row.initial.get("weekday") if row.instance.pk else None
        if stored is not None and (data.get("DELETE") or stored != data["weekday"]):
            policy.business_hours_remove(actor=actor, calendar=calendar, weekday=stored)
        if not data.get("DELETE"):
            policy.business_hours_set(
                actor=actor, calendar=calendar, weekday=data["weekday"], opens=data["opens"], closes=data["closes"]
            )

    @staticmethod
    def _holiday_row(actor, calendar, row, data):
        stored = row.initial.get("date") if row.instance.pk else None
        if stored is not None and (data.get("DELETE") or stored != data["date"]):
            policy.holiday_remove(actor=actor, calendar=calendar, day=stored)
        if not data.get("DELETE"):
            policy.holiday_set(actor=actor, calendar=calendar, day=data["date"], name=data.get("name", ""))


@admin.register(NoticeDelivery)
class NoticeDeliveryAdmin(admin.ModelAdmin):
    """Notifications and how their delivery went; filter on "Undeliverable" for the ones nobody received.
    Rows are written by the notification services only; the one change here is sending one again."""

    list_display = ("ticket", "event", "address", "status", "attempts", "last_attempt_at", "last_error")
    list_filter = ("status", "event")
    search_fields = ("ticket__reference",)
    list_select_related = ("ticket",)
    actions = ["send_again"]
    readonly_fields = [f.name for f in NoticeDelivery._meta.get_fields() if f.concrete]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected undeliverable notifications again"), permissions=["change"])
    def send_again(self, request, queryset):
        sent = 0
        for delivery in queryset.filter(status=NoticeDelivery.Status.UNDELIVERABLE):
            try:
                services.notice_retry(delivery=delivery, actor=request.user)
                sent += 1
            except ValidationError as error:  # sent again by someone else meanwhile
                self.message_user(request, error.messages[0], messages.WARNING)
        self.message_user(request, _("%(count)d notification(s) will be sent again.") % {"count": sent})


# Registered from their own module (what they import is not the ticket pages' business).
from tickets import admin_stickers  # noqa: E402, F401


@admin.register(Team)
class TeamAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Teams and their members; which tickets reach a team is set by the routing rules below it."""

    list_display = ["name", "member_names"]
    search_fields = ["name"]
    fields = ["name", "members"]
    filter_horizontal = ["members"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            # Only people who work the queue can be in a team.
            kwargs["queryset"] = selectors.ticket_workers()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("members"))
    def member_names(self, team):
        return ", ".join(user.get_full_name() or user.get_username() for user in team.members.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("members")

    def service_save(self, request, obj, form, change):
        return routing.team_save(
            actor=request.user,
            name=form.cleaned_data["name"],
            members=form.cleaned_data["members"],
            team=obj if change else None,
        )

    def save_related(self, request, form, formsets, change):
        # team_save has set the members; the form must not write them again behind the service.
        pass

    def service_delete(self, request, obj):
        routing.team_delete(actor=request.user, team=obj)


# Tickets listed on the re-route confirmation page (the counts are whole; the list shows what kind of move it is).
REROUTE_EXAMPLES = 20


@admin.register(RoutingRule)
class RoutingRuleAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Where an arriving ticket goes: the first rule (lowest order) whose field matches names its team."""

    list_display = ["position", "field", "value", "team"]
    list_display_links = ["field", "value"]
    list_filter = ["team", "field"]
    list_select_related = ["team"]
    fields = ["team", "field", "value", "position"]

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        return routing.routing_rule_save(
            actor=request.user,
            team=data["team"],
            field=data["field"],
            value=data["value"],
            position=data["position"],
            rule=obj if change else None,
        )

    def service_delete(self, request, obj):
        routing.routing_rule_delete(actor=request.user, rule=obj)

    actions = ["apply_to_open_tickets"]

    @admin.action(description=_("Apply the selected rules to open tickets…"), permissions=["change"])
    def apply_to_open_tickets(self, request, queryset):
        """First a page saying what would change (for tickets without a team, or for every open ticket), then,
        confirmed, the re-route through the service: each move an event on its ticket, audited."""
        rules = list(queryset.select_related("team"))
        if request.POST.get("confirmed") == "yes":
            only_without_team = request.POST.get("scope") != "all"
            try:
                moved = routing.open_tickets_reroute(
                    actor=request.user, rules=rules, only_without_team=only_without_team
                )
            except PermissionDenied:
                self.message_user(request, _("You may not change tickets."), messages.ERROR)
                return None
            text = ngettext("%(n)d open ticket moved to its team.", "%(n)d open tickets moved to their teams.", moved)
            self.message_user(request, text % {"n": moved}, messages.SUCCESS)
            return None
        without_team = routing.reroute_plan(rules=rules, only_without_team=True)
        every_open = routing.reroute_plan(rules=rules, only_without_team=False)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Apply the rules to open tickets"),
            "opts": self.model._meta,
            "rules": rules,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "without_team": len(without_team),
            "every_open": len(every_open),
            "moved_between_teams": sum(1 for ticket, _team in every_open if ticket.team_id is not None),
            "examples": every_open[:REROUTE_EXAMPLES],
        }
        return TemplateResponse(request, "admin/tickets/routingrule/apply_to_open_tickets.html", context)
