from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = _("Knowledge base")

    def ready(self):
        # Rows deleted without the services (a queryset delete) still leave the search index.
        from kb import search_documents  # noqa: F401
