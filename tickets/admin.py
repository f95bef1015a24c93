from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tickets.models import Attachment, Deflection, Ticket, TicketMessage


class TicketMessageInline(admin.TabularInline):
    model = TicketMessage
    fields = ["created_at", "author_role", "author", "body", "is_internal"]
    readonly_fields = ["created_at", "author_role", "author", "body", "is_internal"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        # Replies go through the tracking page (and later the agent console), which mask and notify.
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ["download", "kind", "content_type", "size", "masked_count", "sha256"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download(self, attachment):
        # Files are served only through the access-checked view, never from a media URL.
        url = reverse("tickets:attachment", kwargs={"key": attachment.ticket.reference, "pk": attachment.pk})
        return format_html('<a href="{}">{}</a>', url, attachment.original_name)


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
        (None, {"fields": ["reference", "status", "priority", "requester", "language", "created_at", "updated_at"]}),
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
    # What the merchant sent is evidence: agents change only the status and priority here.
    readonly_fields = [
        name for _title, options in fieldsets for name in options["fields"] if name not in ("status", "priority")
    ]
    inlines = [TicketMessageInline, AttachmentInline]

    def has_add_permission(self, request):
        return False


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "article_slug", "query", "response_code", "language"]
    list_filter = ["language", "article_slug"]
    search_fields = ["query", "article_slug"]
    readonly_fields = ["created_at", "article_slug", "query", "response_code", "language"]

    def has_add_permission(self, request):
        return False
