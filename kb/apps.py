from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = _("Knowledge base")

    def ready(self):
        # Rows deleted without the services (a queryset delete) still leave the search index.
        # The search log reaches the database after responses are sent (kb.search.spool).
        import atexit

        from django.core.signals import request_finished

        from kb import search, search_documents  # noqa: F401
        from kb.search import spool
        from portal import generations

        # The search library keeps its version in the site's generations (it imports nothing from the site).
        search.use_generations(generations)
        request_finished.connect(spool.drain_if_due, dispatch_uid="kb.search.spool")
        atexit.register(spool.drain_at_exit)
