from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from agents.roles import roles_sync

    roles_sync()


class AgentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agents"
    verbose_name = "Agent console"

    def ready(self):
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="agents-roles")
