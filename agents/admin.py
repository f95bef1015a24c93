"""The user admin with the staff roles: actions that make the selected accounts agents or editors (through
agents.services.user_role_set, audited), and the roles' groups named in the reader's language."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agents.models import AgentPreference
from agents.roles import ROLE_LABELS
from agents.services import agent_language_set, agent_preference_delete, user_role_set
from infra.admin_services import ServiceAdminMixin
from tickets.selectors import ticket_workers

User = get_user_model()


class StaffRoleUserAdmin(UserAdmin):
    actions = ["make_agents", "make_editors"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.name == "groups":
            field.label_from_instance = lambda group: str(ROLE_LABELS.get(group.name, group.name))
        return field

    def _grant(self, request, queryset, role: str):
        done = 0
        for user in queryset:
            try:
                user_role_set(actor=request.user, user=user, role=role)
                done += 1
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
        return done

    @admin.action(description=_("Make the selected users support agents"), permissions=["change"])
    def make_agents(self, request, queryset):
        done = self._grant(request, queryset, "agent")
        message = ngettext("%(count)d user is now a support agent.", "%(count)d users are now support agents.", done)
        self.message_user(request, message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Make the selected users knowledge-base editors"), permissions=["change"])
    def make_editors(self, request, queryset):
        done = self._grant(request, queryset, "editor")
        message = ngettext("%(count)d user is now an editor.", "%(count)d users are now editors.", done)
        self.message_user(request, message % {"count": done}, messages.SUCCESS)

    def get_list_display(self, request):
        return [*super().get_list_display(request), "roles"]

    @admin.display(description=_("Roles"))
    def roles(self, user):
        return ", ".join(str(ROLE_LABELS.get(group.name, group.name)) for group in user.groups.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


admin.site.unregister(User)
admin.site.register(User, StaffRoleUserAdmin)


class RoleGroupAdmin(GroupAdmin):
    list_display = ["role_name"]

    @admin.display(description=_("name"), ordering="name")
    def role_name(self, group):
        return str(ROLE_LABELS.get(group.name, group.name))


admin.site.unregister(Group)
admin.site.register(Group, RoleGroupAdmin)


@admin.register(AgentPreference)
class AgentPreferenceAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Each agent's language (the console after sign-in, the emails they receive), written through
    agents.services like the header's switch, and audited."""

    list_display = ["user", "language", "changed_at"]
    list_filter = ["language"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    fields = ["user", "language"]

    @admin.display(description=_("Updated"), ordering="updated_at")
    def changed_at(self, preference):
        return preference.updated_at

    def get_readonly_fields(self, request, obj=None):
        # A preference belongs to its agent: another agent's is a new row, not this one moved.
        return ["user"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = ticket_workers()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def service_save(self, request, obj, form, change):
        agent = obj.user if change else form.cleaned_data["user"]
        return agent_language_set(actor=request.user, agent=agent, language=form.cleaned_data["language"])

    def service_delete(self, request, obj):
        agent_preference_delete(actor=request.user, preference=obj)
