from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .ticket import Ticket, TicketMessage


class FileKind(models.TextChoices):
    IMAGE = "image", _("Photo or screenshot")
    LOG = "log", _("Log file")


class StoredFileFields(models.Model):
    """What a processed upload looks like once it is on disk, for attachments and pending uploads alike."""

    kind = models.CharField(max_length=8, choices=FileKind)
    original_name = models.CharField(_("file name"), max_length=120)
    file = models.CharField(max_length=200, editable=False)  # name in default_storage
    thumbnail = models.CharField(max_length=200, blank=True, editable=False)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    masked_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class AttachmentQuerySet(models.QuerySet):
    def merchant_visible(self):
        """The files of the merchant's conversation: never those of an internal note."""
        return self.filter(models.Q(message__isnull=True) | models.Q(message__is_internal=False))


class Attachment(StoredFileFields):
    # Set by the agent's ticket page (an image shown inline), not stored.
    inline: bool
    gallery_index: int

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        TicketMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    # What the OCR server read in a photo, card numbers masked, and the response codes it names (tickets.photos;
    # filled by the task worker after the ticket is saved, empty while unread or when nothing could be read).
    photo_text = models.TextField(_("text read"), blank=True, default="", editable=False)
    photo_codes = models.CharField(_("codes read"), max_length=40, blank=True, default="", editable=False)
    photo_read_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [models.UniqueConstraint(fields=["file"], name="tickets_attachment_unique_file")]

    def __str__(self) -> str:
        return self.original_name


class TicketErasure(models.Model):
    """A ticket removed for a data-protection request: which one, by whom, why and how much went with it.

    Written by tickets.services.ticket_erase in the transaction that deletes the ticket, and kept after it:
    it holds the reference and counts only, nothing the merchant sent."""

    reference = models.CharField(_("reference"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too: the record must still say who erased it once that account is gone.
    actor_username = models.CharField(_("erased by"), max_length=150)
    reason = models.TextField(_("reason"))
    messages = models.PositiveIntegerField(_("messages"), default=0)
    attachments = models.PositiveIntegerField(_("attachments"), default=0)
    events = models.PositiveIntegerField(_("history entries"), default=0)
    files = models.PositiveIntegerField(_("stored files"), default=0)
    created_at = models.DateTimeField(_("erased at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ticket erasure")
        verbose_name_plural = _("ticket erasures")
        permissions = [("erase_ticket", _("Can erase a ticket for a data-protection request"))]

    def __str__(self) -> str:
        return f"{self.reference} ({self.actor_username})"


class PendingUpload(StoredFileFields):
    """A file accepted while the rest of the form still had errors, kept for the same submission."""

    submission_key = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["file"], name="tickets_pending_unique_file")]

    def __str__(self) -> str:
        return self.original_name
