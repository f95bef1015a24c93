from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Support tickets")

    def ready(self) -> None:
        from tickets import inbound_webhook  # noqa: F401 (connects the inbound mail signal)
