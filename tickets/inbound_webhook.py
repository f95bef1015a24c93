"""Replies that a hosted mail provider (SES, Mailgun, Postmark, SendGrid …) posts to django-anymail's inbound
webhook (/inbound/<provider>/inbound/): the raw message goes the same way as one read over IMAP."""

import logging

from anymail.signals import AnymailInboundEvent, inbound
from django.conf import settings
from django.dispatch import receiver

logger = logging.getLogger(__name__)


@receiver(inbound, dispatch_uid="tickets.inbound_mail")
def inbound_mail_posted(sender, event: AnymailInboundEvent, esp_name: str, **kwargs) -> None:
    from tickets.services import inbound_mail_receive

    if not getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
        # Without the shared secret anyone could post "replies": refused, whatever anymail lets through.
        logger.warning("Inbound email from %s ignored: ANYMAIL_WEBHOOK_SECRET is not set", esp_name)
        return
    if event.message is not None:
        envelope_to = getattr(event.message, "envelope_recipient", None) or ""
        inbound_mail_receive(raw=event.message.as_bytes(), envelope_to=envelope_to)
