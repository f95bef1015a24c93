from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .ticket import Ticket


class TicketFeedback(models.Model):
    """The merchant's answer to "did this solve it?" after a resolution, once per resolution.

    Kept with who answered and which article the answer rested on at that moment, so the dashboard's
    figures per agent and per article do not move when the ticket is reassigned later."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="feedback")
    helped = models.BooleanField(_("solved"))
    comment = models.TextField(_("comment"), blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    article_slug = models.SlugField(_("article"), max_length=80, blank=True)
    resolved_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("merchant feedback")
        verbose_name_plural = _("merchant feedback")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "resolved_at"], name="tickets_feedback_once_per_resolution")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {'+' if self.helped else '-'}"


# --- Teams and routing ----------------------------------------------------------------------------
# Written only through tickets/services/routing.py (the admin included).
