from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = _("Knowledge base")

    def ready(self):
        # Rows deleted without the services (a queryset delete) still leave the search index.
        # The search log reaches the database after responses are sent, and at exit (kb.search.flush_log).
        import atexit

        from django.core.signals import request_finished

        from infra import generations
        from kb import search, search_documents  # noqa: F401

        # The search library keeps its version in the site's generations (it imports nothing from the site).
        search.use_generations(generations)
        request_finished.connect(search.flush_log, dispatch_uid="kb.search.flush_log")
        atexit.register(search.flush_log)
