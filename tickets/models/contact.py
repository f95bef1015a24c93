from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .ticket import Ticket, TicketMessage


class TrackingLink(models.Model):
    """A private link to a ticket beside the receipt's: sent by "Find my ticket", put in a notification, or
    given when the merchant stopped the others; also the record of a stopped link, so it can say so.

    Issuing one never revokes another: a stranger who knows a reference and an email must not be able to
    cut the merchant off. Only the merchant revokes links, from the tracking page; a link also ends once
    its ticket has been closed longer than TRACKING_LINK_RETENTION_DAYS.
    """

    class Origin(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        FIND = "find", _("Find my ticket")
        NOTICE = "notice", _("Notification")
        RENEWED = "renewed", _("Given when the others were stopped")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="tracking_links")
    # sha256 of the token, as for Ticket.access_token_hash: the token itself is only ever in a message.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The token is an HMAC of this under SECRET_KEY, so a notification can carry the current link again
    # without the database ever holding it; blank for a link that cannot be rebuilt (the receipt's).
    nonce = models.CharField(max_length=32, blank=True, editable=False)
    origin = models.CharField(max_length=12, choices=Origin, default=Origin.FIND)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["ticket", "-created_at"], name="tickets_link_newest")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.created_at:%Y-%m-%d %H:%M}"


class NoticeDelivery(models.Model):
    """One notification to one person and how its delivery went: the task's idempotency key (a delivery
    that is no longer pending is never sent again) and what agents and operators see when it failed.

    The receipt's private link is not kept here (only hashes of tokens are stored): it travels in the
    task's arguments, and sending a receipt again issues a new link.
    """

    # Set by tickets.selectors for the agent's page, not stored.
    label: str | Promise

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        UNDELIVERABLE = "undeliverable", _("Undeliverable")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notice_deliveries")
    event = models.CharField(_("notification"), max_length=32)
    channel = models.CharField(_("channel"), max_length=16)
    address = models.CharField(_("to"), max_length=254)
    language = models.CharField(max_length=16)
    message = models.ForeignKey(TicketMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    extra = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(_("last tried"), null=True, blank=True)
    give_up_at = models.DateTimeField(_("tried until"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["ticket", "status"], name="tickets_notice_by_ticket"),
            models.Index(fields=["status", "-created_at"], name="tickets_notice_by_status"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.event} {self.status}"


class TerminalSticker(models.Model):
    """A QR sticker on one terminal: its short link opens the portal with the terminal already known.

    The token is printed, so it is no secret: a scan shows only what the sticker and the terminal's own receipts
    already say (MID, TID, model), never anyone's tickets unless the signed-in owner's own.
    """

    token = models.CharField(max_length=16, unique=True, editable=False)
    merchant_id = models.CharField(_("merchant ID (MID)"), max_length=15)
    terminal_id = models.CharField(_("terminal ID (TID)"), max_length=8)
    serial_number = models.CharField(_("serial number (SN)"), max_length=40, blank=True)
    terminal_model = models.CharField(_("brand and model"), max_length=80, blank=True)
    # The knowledge base's model (kb.TerminalModel.slug), so articles show this terminal's menu paths.
    model_slug = models.SlugField(_("model in the knowledge base"), max_length=60, blank=True)
    acquirer = models.CharField(_("acquirer"), max_length=80, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    scans = models.PositiveIntegerField(_("scans"), default=0, editable=False)
    last_scanned_at = models.DateTimeField(_("last scanned"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["merchant_id", "terminal_id", "-created_at"]
        verbose_name = _("terminal sticker")
        verbose_name_plural = _("terminal stickers")
        constraints = [
            # One working sticker per terminal: a new one replaces a lost one only after it is revoked.
            models.UniqueConstraint(
                fields=["merchant_id", "terminal_id"],
                condition=models.Q(revoked_at__isnull=True),
                name="tickets_one_live_sticker_per_terminal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.terminal_id} ({self.merchant_id})"

    def get_absolute_url(self) -> str:
        return reverse("sticker_scan", kwargs={"token": self.token})


class FindCode(models.Model):
    """A one-time code sent by SMS for "Find my request" by phone. One is made for every request, and the
    task queue matches it to a ticket and sends it (`ticket` stays empty when nothing matched), so neither
    the page nor its timing tells whether a reference exists. Only a keyed hash of the code is kept; it is
    used once, within 10 minutes, and FIND_CODE_ATTEMPTS wrong codes spend it."""

    lookup = models.CharField(max_length=24)  # the reference, MID or TID the merchant typed
    phone = models.CharField(max_length=16)
    # The ticket they match, set by the task that sends the code (tickets/services/notices.py).
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="tickets_findcode_expires")]

    def __str__(self) -> str:
        return f"{self.phone} {self.expires_at:%Y-%m-%d %H:%M}"
