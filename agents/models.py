from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """An agent's own named queue: the filter query string, checked by the queue's form when it is opened."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="agents_savedview_unique_name")]

    def __str__(self) -> str:
        return self.name


class AgentPreference(models.Model):
    """What an agent chose for themselves: the language of the console and of the emails they receive.

    tickets.notifications reads it through the user's `agent_preference` (no import: tickets knows no agents)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_preference", verbose_name=_("agent")
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agent preference")
        verbose_name_plural = _("agent preferences")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_language_display()}"


class TicketSeen(models.Model):
    """When an agent last opened a ticket: a merchant message after it is unread for them (the queue's marker).

    One row per agent and ticket, moved forward by agents.services.ticket_seen_record on each visit.
    """

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("agent")
    )
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+", verbose_name=_("ticket"))
    seen_at = models.DateTimeField(_("last opened"))

    class Meta:
        verbose_name = _("opened ticket")
        verbose_name_plural = _("opened tickets")
        # Leads with the agent: the queue asks "has this agent seen that ticket since …" per ticket.
        constraints = [models.UniqueConstraint(fields=["agent", "ticket"], name="agents_seen_once_per_agent")]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.ticket_id} {self.seen_at:%Y-%m-%d %H:%M}"
