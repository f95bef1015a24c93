"""All outbound mail goes through this module, so tests (and a future queue) have one place to patch."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def send_ticket_receipt(ticket, tracking_url: str) -> bool:
    """Email the merchant their reference and private tracking link, in the ticket's language.

    The receipt never includes card data or anything from the description: only what identifies the ticket.
    A mail failure is logged, not raised: the ticket exists and the confirmation page shows the same link.
    """
    return _send_to_merchant(ticket, tracking_url, "emails/ticket_receipt")


def send_tracking_link(ticket, tracking_url: str) -> bool:
    """Email a fresh tracking link to the address given on the ticket ("Find my ticket")."""
    return _send_to_merchant(ticket, tracking_url, "emails/tracking_link")


def _send_to_merchant(ticket, tracking_url: str, template: str) -> bool:
    if not ticket.email:
        return False
    context = {"ticket": ticket, "tracking_url": tracking_url, "site_name": settings.SITE_NAME}
    with translation.override(ticket.language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
    message = EmailMessage(subject=subject, body=body, to=[ticket.email])
    try:
        message.send()
    except Exception:  # any transport failure: SMTP down, refused recipient, DNS
        logger.exception("Could not send mail %s for %s", template, ticket.reference)
        return False
    return True
