"""Staff roles as Django groups, and the permissions each one holds.

Agents: every ticket permission (the console, the admin's ticket pages). Editors: every knowledge-base
permission. Admins: every permission. The data migration creates the groups; the post_migrate hook in
AgentsConfig runs this again so permissions of models added later are granted too.
"""

from django.contrib.auth.management import create_permissions

AGENTS = "Support agents"
EDITORS = "Editors"
ADMINS = "Administrators"
ROLE_APPS = {AGENTS: ("tickets",), EDITORS: ("kb",), ADMINS: None}


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
    for name, app_labels in ROLE_APPS.items():
        group, _created = group_model.objects.get_or_create(name=name)
        permissions = permission_model.objects.all()
        if app_labels is not None:
            permissions = permissions.filter(content_type__app_label__in=app_labels)
        group.permissions.add(*permissions)
