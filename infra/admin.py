"""The sign-in lockout in the admin: django-axes' own pages, plus an action to unlock an account.

Registered here rather than by axes (AXES_ENABLE_ADMIN is off) so the action can be added without
unregistering anything.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin
from axes.models import AccessAttempt, AccessFailureLog
from axes.utils import reset
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from infra.admin_services import ReadOnlyAdminMixin
from infra.models import AuditEvent


@admin.register(AccessAttempt)
class SignInAttemptAdmin(AccessAttemptAdmin):
    actions = [*AccessAttemptAdmin.actions, "unlock_accounts"]

    # Unlocking removes the failure records, so it asks for the right to delete them.
    @admin.action(description=_("Unlock the selected accounts (from every address)"), permissions=["delete"])
    def unlock_accounts(self, request, queryset):
        usernames = sorted({name for name in queryset.values_list("username", flat=True) if name})
        for username in usernames:
            reset(username=username)
        count = len(usernames)
        self.message_user(
            request,
            ngettext("%(count)d account unlocked.", "%(count)d accounts unlocked.", count) % {"count": count},
            messages.SUCCESS,
        )


admin.site.register(AccessFailureLog, AccessFailureLogAdmin)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who changed which setting: written by the services, read only here (it is the trace of each change)."""

    list_display = ["created_at", "actor_username", "action", "model", "object_repr"]
    list_filter = ["action", "model"]
    search_fields = ["object_repr", "actor_username"]
    fields = readonly_fields = [*list_display, "object_id", "changes"]
