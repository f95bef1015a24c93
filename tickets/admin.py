from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tickets import services
from tickets.models import (
    Attachment,
    BusinessCalendar,
    BusinessHours,
    Deflection,
    Holiday,
    ServiceTarget,
    Ticket,
    TicketEvent,
    TicketMessage,
)
from tickets.services import timing

# What agents may change in the admin, each through its workflow service.
ADMIN_EDITABLE = ("status", "priority", "assignee")


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


class TicketMessageInline(ReadOnlyInline):
    model = TicketMessage
    fields = ["created_at", "author_role", "author", "body", "is_internal"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["download", "kind", "content_type", "size", "masked_count", "sha256"]

    @admin.display(description=_("file"))
    def download(self, attachment):
        # Files are served only through the access-checked view, never from a media URL.
        url = reverse("tickets:attachment", kwargs={"key": attachment.ticket.reference, "pk": attachment.pk})
        return format_html('<a href="{}">{}</a>', url, attachment.original_name)


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["created_at", "actor_kind", "actor", "kind", "old_value", "new_value"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
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
    search_fields = ["reference", "merchant_id", "terminal_id", "phone", "email", "serial_number"]
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
        (_("Contact"), {"fields": ["contact_name", "phone", "email"]}),
        (_("Terminal"), {"fields": ["merchant_id", "terminal_id", "serial_number", "terminal_model", "acquirer"]}),
        (
            _("What happened"),
            {
                "fields": [
                    "occurred_at",
                    "location",
                    "response_code",
                    "screen_text",
                    "description",
                    "steps",
                    "tried_fixes",
                    "article_slug",
                    "search_query",
                    "masked_count",
                ]
            },
        ),
        (
            _("Transaction"),
            {"fields": ["amount", "trace_number", "batch_number", "reference_number", "auth_code", "card_masked"]},
        ),
    ]
    # What the merchant sent is evidence: agents change only the status, priority and assignee here.
    readonly_fields = [
        name for _title, options in fieldsets for name in options["fields"] if name not in ADMIN_EDITABLE
    ]
    inlines = [TicketMessageInline, AttachmentInline, TicketEventInline]

    def has_add_permission(self, request):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            may_work = (
                Q(is_superuser=True)
                | Q(
                    groups__permissions__codename="change_ticket",
                    groups__permissions__content_type__app_label="tickets",
                )
                | Q(user_permissions__codename="change_ticket", user_permissions__content_type__app_label="tickets")
            )
            kwargs["queryset"] = get_user_model().objects.filter(may_work, is_staff=True, is_active=True).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Each changed field goes through its workflow service, which locks the row and records the event;
        the admin never saves the ticket itself."""
        with transaction.atomic():
            if "status" in form.changed_data:
                services.ticket_status_set(ticket=obj, agent=request.user, status=form.cleaned_data["status"])
            if "priority" in form.changed_data:
                services.ticket_priority_set(ticket=obj, agent=request.user, priority=form.cleaned_data["priority"])
            if "assignee" in form.changed_data:
                services.ticket_assign(ticket=obj, agent=request.user, assignee=form.cleaned_data["assignee"])


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "article_slug", "query", "response_code", "language"]
    list_filter = ["language", "article_slug"]
    search_fields = ["query", "article_slug"]
    readonly_fields = ["created_at", "article_slug", "query", "response_code", "language"]

    def has_add_permission(self, request):
        return False


# --- Time targets: every save goes through tickets/services/timing.py --------------------------------


@admin.register(ServiceTarget)
class ServiceTargetAdmin(admin.ModelAdmin):
    list_display = ["priority", "first_response_minutes", "resolution_hours"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = timing.service_target_set(
            priority=data["priority"],
            first_response_minutes=data["first_response_minutes"],
            resolution_hours=data["resolution_hours"],
        )
        obj.pk = saved.pk


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone"]
    inlines = [BusinessHoursInline, HolidayInline]

    def save_model(self, request, obj, form, change):
        saved = timing.business_calendar_save(
            calendar=obj if change else None, name=form.cleaned_data["name"], timezone=form.cleaned_data["timezone"]
        )
        obj.pk = saved.pk

    def save_formset(self, request, form, formset, change):
        """Opening hours and holidays are set and removed through their services, row by row."""
        calendar = form.instance
        # The admin's change message reads these; the services, not formset.save(), did the writing.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            data = getattr(row, "cleaned_data", None)
            if not data or (not row.has_changed() and not data.get("DELETE")):
                continue
            if formset.model is BusinessHours:
                self._hours_row(calendar, row, data)
            else:
                self._holiday_row(calendar, row, data)

    @staticmethod
    def _hours_row(calendar, row, data):
        if data.get("DELETE"):
            timing.business_hours_remove(calendar=calendar, weekday=row.instance.weekday)
            return
        if row.instance.pk and row.instance.weekday != data["weekday"]:
            timing.business_hours_remove(calendar=calendar, weekday=row.instance.weekday)
        timing.business_hours_set(
            calendar=calendar, weekday=data["weekday"], opens=data["opens"], closes=data["closes"]
        )

    @staticmethod
    def _holiday_row(calendar, row, data):
        if data.get("DELETE"):
            timing.holiday_remove(calendar=calendar, day=row.instance.date)
            return
        if row.instance.pk and row.instance.date != data["date"]:
            timing.holiday_remove(calendar=calendar, day=row.instance.date)
        timing.holiday_set(calendar=calendar, day=data["date"], name=data.get("name", ""))
