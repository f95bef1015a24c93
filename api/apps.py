from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API for integrators")

    def ready(self) -> None:
        # Webhooks follow the tickets' recorded changes (tickets never import the API).
        from api import receivers  # noqa: F401
