from django.core.management.base import BaseCommand

from tickets.services import tickets_cleanup


class Command(BaseCommand):
    help = "Delete files attached to forms that were never sent (after 24 h) and stored files nothing refers to."

    def handle(self, *args, **options):
        pending, orphans = tickets_cleanup()
        self.stdout.write(f"Deleted {pending} pending uploads and {orphans} orphan files.")
