from django.db import models
from django.utils.translation import gettext_lazy as _

from .ticket import Ticket


class ServiceTarget(models.Model):
    """How soon support answers first and resolves, per priority, in business time."""

    priority = models.CharField(_("priority"), max_length=12, choices=Ticket.Priority, unique=True)
    first_response_minutes = models.PositiveIntegerField(_("first response within (business minutes)"))
    resolution_hours = models.PositiveIntegerField(_("resolution within (business hours)"))

    class Meta:
        ordering = ["priority"]
        verbose_name = _("time target")
        verbose_name_plural = _("time targets")
        constraints = [
            models.CheckConstraint(condition=models.Q(first_response_minutes__gt=0), name="tickets_target_first_gt0"),
            models.CheckConstraint(condition=models.Q(resolution_hours__gt=0), name="tickets_target_resolution_gt0"),
        ]

    def __str__(self) -> str:
        return self.get_priority_display()


class BusinessCalendar(models.Model):
    """The support desk's working time: a zone, opening hours per weekday and holidays. One is in use."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


class BusinessHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "weekday"], name="tickets_hours_one_per_day"),
            models.CheckConstraint(condition=models.Q(opens__lt=models.F("closes")), name="tickets_hours_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=80, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="tickets_holiday_once")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class BreachWarning(models.Model):
    """Agents were warned that this due time is near: the breach check warns once per ticket and due time."""

    class Target(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        RESOLUTION = "resolution", _("Resolution")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="breach_warnings")
    target = models.CharField(max_length=16, choices=Target)
    due = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "target", "due"], name="tickets_breach_warned_once"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target} {self.due}"
