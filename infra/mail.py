"""All outbound mail goes through this module, so tests (and the notification tasks) have one place to patch."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


# RFC 3834: our notifications are automatic, so well-behaved auto-responders (out-of-office) do not answer
# them; with the inbound side's own checks, no loop of automatic mails can start.
AUTO_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}


def send_templated(*, template: str, context: dict, to: str, reply_to: str = "") -> None:
    """Send `<template>_subject.txt`, `<template>.txt` and `<template>.html` rendered with `context`.

    Rendered in the active language (the caller overrides it with the recipient's). Raises on any transport
    failure, so the task that called it can try again later.
    """
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[to],
        reply_to=[reply_to] if reply_to else None,
        headers=AUTO_HEADERS,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


def send_tracking_link(ticket, tracking_url: str) -> bool:
    """Email a fresh tracking link to the address given on the ticket ("Find my ticket").

    Sent at once, not queued: the merchant asked for it just now and is waiting for it. A failure is logged,
    not raised: the page answers the same whether or not the pair matched, so it cannot say so anyway.
    """
    if not ticket.email:
        return False
    context = {"ticket": ticket, "tracking_url": tracking_url, "site_name": settings.SITE_NAME}
    with translation.override(ticket.language):
        subject = " ".join(render_to_string("emails/tracking_link_subject.txt", context).split())
        body = render_to_string("emails/tracking_link.txt", context)
    try:
        EmailMessage(subject=subject, body=body, to=[ticket.email], headers=AUTO_HEADERS).send()
    except Exception:  # any transport failure: SMTP down, refused recipient, DNS
        logger.exception("Could not send the tracking link for %s", ticket.reference)
        return False
    return True


def site_link(path: str) -> str:
    """An absolute link for an email: always on the configured SITE_URL, never on the request's Host header
    (which a client chooses, and which would otherwise put a link to its own site in a merchant's inbox)."""
    return settings.SITE_URL.rstrip("/") + path
