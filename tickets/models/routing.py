from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """A group of agents who work one kind of ticket (an acquirer's, a region's); its tickets come first to them."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="support_teams", verbose_name=_("members")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """When a ticket arrives whose field matches, it goes to the team; the first matching rule (by position) wins."""

    class Field(models.TextChoices):
        ACQUIRER = "acquirer", _("Acquirer (contains)")
        REGION = "location", _("Region: shop address (contains)")
        TERMINAL_MODEL = "terminal_model", _("Terminal model (contains)")
        RESPONSE_CODE = "response_code", _("Response code (exactly)")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="rules", verbose_name=_("team"))
    field = models.CharField(_("matched field"), max_length=16, choices=Field)
    value = models.CharField(_("matches"), max_length=80)
    position = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.get_field_display()} {self.value} → {self.team}"
