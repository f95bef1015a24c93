from django.core.management.base import BaseCommand

from kb.services import kb_rerender


class Command(BaseCommand):
    help = "Render stored articles and response codes again (after a renderer or sanitizer change)."

    def handle(self, *args, **options):
        changed = kb_rerender()
        if options["verbosity"] >= 1:
            self.stdout.write(f"re-rendered {changed} articles and response codes whose HTML had changed")
