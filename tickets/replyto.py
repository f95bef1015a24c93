"""The per-ticket reply address (support+<token>@domain) put in each merchant notification's Reply-To.

The token names the ticket and is signed, lower-case only (some mail systems lower-case the local part), so
a reply can be matched to its ticket and a guessed or altered address matches nothing. It is a lead, not a
key: the reply is only accepted from the ticket's own address (tickets/services/inbound.py).
"""

import hmac
import re

from django.conf import settings
from django.utils.crypto import salted_hmac

_SALT = "tickets.reply-address"
_TOKEN = re.compile(r"\+r(\d{1,12})-([0-9a-f]{16})@", re.IGNORECASE)


def _signature(ticket_id: int) -> str:
    return salted_hmac(_SALT, str(ticket_id), algorithm="sha256").hexdigest()[:16]


def replies_are_read() -> bool:
    return bool(settings.INBOUND_REPLY_ADDRESS)


def reply_address(ticket_id: int) -> str:
    """The ticket's reply address, or "" when replies by email are not read (no promise is made then)."""
    if not replies_are_read():
        return ""
    local, _, domain = settings.INBOUND_REPLY_ADDRESS.partition("@")
    return f"{local}+r{ticket_id}-{_signature(ticket_id)}@{domain}"


def ticket_id_from(addresses: list[str]) -> tuple[int | None, bool]:
    """(ticket id, whether a reply token was present) from the addresses a mail was sent to.

    A token whose signature does not match gives (None, True): the mail goes to the unmatched list.
    """
    seen = False
    for address in addresses:
        match = _TOKEN.search(address)
        if match is None:
            continue
        seen = True
        ticket_id, signature = int(match.group(1)), match.group(2).lower()
        if hmac.compare_digest(signature, _signature(ticket_id)):
            return ticket_id, True
    return None, seen
