from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .ticket import Ticket


class Deflection(models.Model):
    """A merchant who was about to contact support found the answer in an article instead."""

    article_slug = models.SlugField(max_length=80, blank=True)
    query = models.CharField(max_length=200, blank=True)
    response_code = models.CharField(max_length=4, blank=True)
    language = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("deflected ticket")
        verbose_name_plural = _("deflected tickets")

    def __str__(self) -> str:
        return self.article_slug or self.query


class CannedReply(models.Model):
    """A prepared answer agents insert and adapt; {merchant_name}, {reference} and {article:slug} are filled in."""

    title = models.CharField(_("title"), max_length=80)
    language = models.CharField(_("language"), max_length=8, default="zh-hans")
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("offered"), default=True)
    # A reply shipped in tickets/content/ (canned_load): its name there, and the hash of the text it was
    # loaded with, so a reply edited in the admin is never overwritten by a later load.
    key = models.SlugField(max_length=60, blank=True, editable=False)
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        constraints = [
            models.UniqueConstraint(fields=["language", "title"], name="tickets_canned_unique_title"),
            models.UniqueConstraint(
                fields=["language", "key"], condition=~models.Q(key=""), name="tickets_canned_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TicketClassification(models.Model):
    """What the knowledge-base search suggests for a ticket, and what the agent said it really was."""

    class Verdict(models.TextChoices):
        PENDING = "pending", _("Not reviewed")
        ACCEPTED = "accepted", _("Accepted")
        CORRECTED = "corrected", _("Corrected")

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="classification")
    article_slug = models.SlugField(_("suggested article"), max_length=80, blank=True)
    response_code = models.CharField(_("suggested response code"), max_length=4, blank=True)
    confidence = models.FloatField(_("confidence"), default=0.0)
    # The ranked article candidates, best first, so the page can offer the runners-up without searching again.
    candidates = models.JSONField(default=list, blank=True)
    verdict = models.CharField(_("review"), max_length=12, choices=Verdict, default=Verdict.PENDING)
    correct_article_slug = models.SlugField(_("correct article"), max_length=80, blank=True)
    correct_response_code = models.CharField(_("correct response code"), max_length=4, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ticket classification")
        verbose_name_plural = _("ticket classifications")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.article_slug or '-'} {self.response_code or '-'}"


# --- Time targets -------------------------------------------------------------------------------
# Written only through tickets/services/timing.py (the admin included); read by the same module.
