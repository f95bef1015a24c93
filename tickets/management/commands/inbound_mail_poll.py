"""Read merchants' replies from the IMAP mailbox (INBOUND_IMAP_*); run every minute by cron or the worker's
scheduler. An unreachable server is logged and the command fails; the next run simply tries again."""

import logging

from django.core.management.base import BaseCommand, CommandError

from infra import imap
from tickets import services

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Read replies by email from the IMAP mailbox into their tickets (idempotent; run every minute)."

    def handle(self, *args, **options):
        if not imap.configured():
            self.stdout.write("INBOUND_IMAP_HOST is not set: nothing to read.")
            return
        try:
            handled, failed = imap.poll(lambda raw: services.inbound_mail_receive(raw=raw))
        except Exception as error:  # connection refused, timeout, bad login, a server that went away
            logger.error("Could not read the reply mailbox: %s: %s", type(error).__name__, error)
            raise CommandError(f"Could not read the reply mailbox: {error}") from error
        self.stdout.write(f"{handled} read, {failed} left for the next run.")
