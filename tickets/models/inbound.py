from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .files import StoredFileFields
from .ticket import Ticket, TicketMessage


class InboundMail(models.Model):
    """One email received at the reply address, and what became of it. Its Message-ID makes reading it
    idempotent: fetched twice (an IMAP poll that died before marking it read, a webhook retried), it is
    stored once. Only masked text is kept; the raw message is not."""

    # Set by tickets.selectors for the agents' list, not stored.
    reason_label: str | Promise

    class Status(models.TextChoices):
        ADDED = "added", _("Added to the ticket")
        UNMATCHED = "unmatched", _("Unmatched")
        DROPPED = "dropped", _("Dropped (sent by a machine or too many)")
        DISCARDED = "discarded", _("Discarded")

    mail_id = models.CharField(max_length=255, unique=True)  # its Message-ID header
    sender = models.CharField(_("from"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    # The ticket the reply address named, if its signature held (also for a stranger's mail: the agent sees
    # which ticket it claimed to be about); the ticket it was added to once ADDED.
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mails")
    message = models.ForeignKey(TicketMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    refused_files = models.JSONField(_("files refused"), default=list, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("received email")
        verbose_name_plural = _("received emails")
        indexes = [
            models.Index(fields=["status", "-received_at"], name="tickets_inbound_by_status"),
            models.Index(fields=["ticket", "sender", "received_at"], name="tickets_inbound_by_sender"),
        ]

    def __str__(self) -> str:
        return f"{self.sender} {self.status}"


class InboundFile(StoredFileFields):
    """A checked, masked file of an unmatched email, kept until an agent adds the email to a ticket."""

    mail = models.ForeignKey(InboundMail, on_delete=models.CASCADE, related_name="files")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["file"], name="tickets_inbound_unique_file")]

    def __str__(self) -> str:
        return self.original_name
