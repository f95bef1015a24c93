"""Staff roles as Django groups, and the permissions each one holds.

Agents: every ticket permission (the console, the admin's ticket pages) but deleting a ticket, its messages,
files or history, and erasing one (WITHHELD). Editors: every knowledge-base permission. Admins: every
permission. The data migration creates the groups; the post_migrate hook in
AgentsConfig runs this again so permissions of models added later are granted too.
"""

from django.contrib.auth.management import create_permissions
from django.utils.translation import gettext_lazy as _

AGENTS = "Support agents"
EDITORS = "Editors"
ADMINS = "Administrators"
ROLE_APPS = {AGENTS: ("tickets",), EDITORS: ("kb",), ADMINS: None}
# The groups' names are stored in English (the code finds them by name); people read them in their language.
ROLE_LABELS = {AGENTS: _("Support agents"), EDITORS: _("Editors"), ADMINS: _("Administrators")}
# What `manage.py staff_role` and the user admin's actions call each role.
ROLES_BY_KEY = {"agent": AGENTS, "editor": EDITORS}
# A ticket is never deleted by an agent: deletion takes its history (the audit trail) with it. Removal for a
# data-protection request goes through tickets.services.ticket_erase, which leaves a TicketErasure. Withheld
# permissions are also taken back from a group that already holds them.
WITHHELD = {
    AGENTS: (
        "delete_ticket",
        "delete_ticketmessage",
        "delete_attachment",
        "delete_ticketevent",
        "erase_ticket",
        "add_ticketerasure",
        "change_ticketerasure",
        "delete_ticketerasure",
    ),
}


def role_permissions(name: str, permission_model):
    """The permissions the role `name` holds, as a queryset of `permission_model`."""
    permissions = permission_model.objects.all()
    app_labels = ROLE_APPS[name]
    if app_labels is not None:
        permissions = permissions.filter(content_type__app_label__in=app_labels)
    return permissions.exclude(codename__in=WITHHELD.get(name, ()))


def roles_sync(*, apps=None) -> None:
    """Create the groups if missing and give each every permission of its apps (admins: all)."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    # Permissions are normally created after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        original = getattr(app_config, "models_module", None)
        # Migration state has stubs without a models module; create_permissions skips those.
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name in ROLE_APPS:
        group, _created = group_model.objects.get_or_create(name=name)
        group.permissions.add(*role_permissions(name, permission_model))
        withheld = WITHHELD.get(name, ())
        if withheld:
            taken = permission_model.objects.filter(codename__in=withheld, content_type__app_label__in=ROLE_APPS[name])
            group.permissions.remove(*taken)
