"""'Find my request' by phone: a six-digit code by SMS, then one more tracking link.

A code is made for every request, whether or not the reference (or MID/TID) and the number match a ticket,
and a task is queued for each: the task matches it and sends only a matching one, after the response, so
the page and the work behind it are the same either way. Only a keyed hash of the code is stored; a code
is good for CODE_LIFETIME, once, and FIND_CODE_ATTEMPTS wrong tries spend it. What limits the requests
themselves (per number, per client address, per browser session) is the view's, with infra.ratelimit.
"""

import hmac
import secrets
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from tickets import notifications, tasks
from tickets.models import FindCode
from tickets.notifications import Event
from tickets.services.dispatch import notices_enqueue
from tickets.services.tracking import ticket_tracking_link_add

CODE_LIFETIME = timedelta(minutes=10)  # said in the SMS's text (templates/sms/find_code.txt)


def _code_hash(code_id: int, code: str) -> str:
    # Keyed with SECRET_KEY: a million possible codes are no secret to anyone holding a plain hash.
    return salted_hmac("tickets.find-code", f"{code_id}:{code}", algorithm="sha256").hexdigest()


def find_code_issue(*, lookup: str, phone: str) -> FindCode:
    """Make a code for the pair and queue the task that matches it to a ticket and sends it (or not)."""
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        row = FindCode.objects.create(lookup=lookup, phone=phone, expires_at=timezone.now() + CODE_LIFETIME)
        row.code_hash = _code_hash(row.pk, code)
        row.save(update_fields=["code_hash"])
        # robust: a queue that cannot take the task is logged; the merchant asks for a new code.
        transaction.on_commit(partial(tasks.find_code_enqueue, code_id=row.pk, code=code), robust=True)
    return row


def find_code_redeem(*, code_id: int, code: str) -> str | None:
    """Check a code; right, unused, in time and within its tries: the token of a new tracking link to the
    ticket, whose short twin is also sent by SMS for the merchant to keep. Else None, whatever the reason."""
    with transaction.atomic():
        row = FindCode.objects.select_for_update().filter(pk=code_id).first()
        if row is None or row.used_at or row.expires_at <= timezone.now():
            return None
        if row.attempts >= settings.FIND_CODE_ATTEMPTS:
            return None
        FindCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        if not hmac.compare_digest(row.code_hash, _code_hash(row.pk, code)) or row.ticket is None:
            return None
        FindCode.objects.filter(pk=row.pk).update(used_at=timezone.now())
        token = ticket_tracking_link_add(ticket=row.ticket)
        # The SMS gets a short link of its own (notices_record adds it); the page opens the one above.
        notices_enqueue(notices=notifications.merchant_sms(row.ticket, Event.TRACKING_LINK))
    return token
