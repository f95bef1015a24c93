from django.contrib import admin
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tickets import selectors, services
from tickets.models import Attachment, CannedReply, Deflection, Ticket, TicketEvent, TicketMessage

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
            kwargs["queryset"] = selectors.ticket_workers()
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


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "is_active", "updated_at"]
    list_filter = ["language", "is_active"]
    search_fields = ["title", "body"]
    fields = ["title", "language", "body", "is_active"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        services.canned_reply_save(
            agent=request.user,
            title=data["title"],
            body=data["body"],
            language=data["language"],
            is_active=data["is_active"],
            reply=obj if change else None,
        )
