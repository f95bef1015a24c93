"""Reading a company mailbox over IMAP (imap-tools): every unread message, handed over as raw bytes.

A message is marked read only after its handler returned, so a poll that dies half-way leaves the rest
unread for the next one; the handler is idempotent on Message-ID, so one read twice is stored once.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from imap_tools import AND, MailBox, MailBoxUnencrypted, MailMessageFlags

logger = logging.getLogger(__name__)


def configured() -> bool:
    return bool(settings.INBOUND_IMAP_HOST)


def poll(handle: Callable[[bytes], object], *, limit: int = 200) -> tuple[int, int]:
    """Hand each unread message to `handle`; (handled, failed). Raises when the server cannot be reached
    or refuses the login (nothing was read then); a message whose handler failed stays unread."""
    box_class = MailBox if settings.INBOUND_IMAP_SSL else MailBoxUnencrypted
    box = box_class(settings.INBOUND_IMAP_HOST, settings.INBOUND_IMAP_PORT, timeout=settings.INBOUND_IMAP_TIMEOUT)
    handled = failed = 0
    with box.login(settings.INBOUND_IMAP_USER, settings.INBOUND_IMAP_PASSWORD, settings.INBOUND_IMAP_FOLDER):
        for message in box.fetch(AND(seen=False), mark_seen=False, bulk=False, limit=limit):
            try:
                handle(message.obj.as_bytes())
            except Exception:  # one bad message must not stop the others; it is tried again next time
                failed += 1
                logger.exception("Could not read email %s from the mailbox; it stays unread", message.uid)
                continue
            box.flag(message.uid, MailMessageFlags.SEEN, True)
            handled += 1
    return handled, failed
