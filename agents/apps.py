from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    # post_migrate is only sent for apps with a models module, which this one may not have: listen to
    # auth's (always there) instead. roles_sync creates and grants the permissions of every app itself.
    if sender.label != "auth":
        return
    from agents.roles import roles_sync

    roles_sync()


class AgentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agents"
    verbose_name = _("Agent console")  # the admin's heading for the agents' preferences

    def ready(self):
        post_migrate.connect(_sync_roles, dispatch_uid="agents-roles")
