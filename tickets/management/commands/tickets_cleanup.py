from django.core.management.base import BaseCommand

from tickets.services import inbound_mails_prune, tickets_cleanup


class Command(BaseCommand):
    help = (
        "Delete files attached to forms that were never sent (after 24 h), stored files nothing refers to, and "
        "dropped or discarded emails after 30 days."
    )

    def handle(self, *args, **options):
        pending, orphans = tickets_cleanup()
        mails = inbound_mails_prune()
        self.stdout.write(f"Deleted {pending} pending uploads, {orphans} orphan files and {mails} old refused emails.")
