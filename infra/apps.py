from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfraConfig(AppConfig):
    name = "infra"
    # The admin showed the audit events under "Site" while they lived in portal; people still read that name.
    verbose_name = _("Site")

    def ready(self):
        from infra import permissions

        permissions.connect()
