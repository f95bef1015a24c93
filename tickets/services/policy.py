"""The time-target policy as the admin changes it: targets per priority, the calendar, its hours and holidays.

Every change is a typed service that validates, writes in one transaction and leaves an audit record naming
who changed what (infra.audit); tickets/services/timing.py reads the policy to compute due times.
Opening hours and holidays are recorded as changes of their calendar ("hours:<weekday>", "holiday:<date>"),
so one calendar's history reads in one place.
"""

from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from infra.audit import Action, audit_record, values_of, values_stored
from tickets.models import BusinessCalendar, BusinessHours, Holiday, ServiceTarget, Ticket

_TARGET_FIELDS = ("priority", "first_response_minutes", "resolution_hours")
_CALENDAR_FIELDS = ("name", "timezone")


# --- Targets ----------------------------------------------------------------------------------------


def _check_target(priority: str, first_response_minutes: int, resolution_hours: int) -> None:
    if priority not in Ticket.Priority.values:
        raise ValidationError({"priority": _("Choose one of the offered values.")})
    if first_response_minutes <= 0 or resolution_hours <= 0:
        raise ValidationError(_("Targets must be more than zero."))


@transaction.atomic
def service_target_set(
    *, actor: User, priority: str, first_response_minutes: int, resolution_hours: int
) -> ServiceTarget:
    """The targets of a priority, whether it had its own row or used the defaults."""
    _check_target(priority, first_response_minutes, resolution_hours)
    target = ServiceTarget.objects.select_for_update().filter(priority=priority).first()
    if target is not None:
        return service_target_update(
            actor=actor,
            target=target,
            priority=priority,
            first_response_minutes=first_response_minutes,
            resolution_hours=resolution_hours,
        )
    target = ServiceTarget.objects.create(
        priority=priority, first_response_minutes=first_response_minutes, resolution_hours=resolution_hours
    )
    audit_record(actor=actor, action=Action.CREATED, instance=target, after=values_of(target, _TARGET_FIELDS))
    return target


@transaction.atomic
def service_target_update(
    *, actor: User, target: ServiceTarget, priority: str, first_response_minutes: int, resolution_hours: int
) -> ServiceTarget:
    """Change one target row (its priority too, if no other row has that priority)."""
    _check_target(priority, first_response_minutes, resolution_hours)
    if ServiceTarget.objects.filter(priority=priority).exclude(pk=target.pk).exists():
        raise ValidationError({"priority": _("This priority already has its targets.")})
    before = values_stored(target, _TARGET_FIELDS)
    target.priority = priority
    target.first_response_minutes, target.resolution_hours = first_response_minutes, resolution_hours
    target.save()
    after = values_of(target, _TARGET_FIELDS)
    audit_record(actor=actor, action=Action.CHANGED, instance=target, before=before, after=after)
    return target


@transaction.atomic
def service_target_delete(*, actor: User, target: ServiceTarget) -> None:
    """The priority falls back to the default targets (timing.DEFAULT_TARGETS)."""
    audit_record(actor=actor, action=Action.DELETED, instance=target, before=values_of(target, _TARGET_FIELDS))
    target.delete()


# --- Calendars --------------------------------------------------------------------------------------


def _check_zone(timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"timezone": _("Unknown time zone.")}) from None


@transaction.atomic
def business_calendar_create(*, actor: User, name: str, timezone: str) -> BusinessCalendar:
    _check_zone(timezone)
    calendar = BusinessCalendar(name=name, timezone=timezone)
    calendar.full_clean()
    calendar.save()
    audit_record(actor=actor, action=Action.CREATED, instance=calendar, after=values_of(calendar, _CALENDAR_FIELDS))
    return calendar


@transaction.atomic
def business_calendar_update(*, actor: User, calendar: BusinessCalendar, name: str, timezone: str) -> BusinessCalendar:
    _check_zone(timezone)
    before = values_stored(calendar, _CALENDAR_FIELDS)
    calendar.name, calendar.timezone = name, timezone
    calendar.full_clean()
    calendar.save()
    after = values_of(calendar, _CALENDAR_FIELDS)
    audit_record(actor=actor, action=Action.CHANGED, instance=calendar, before=before, after=after)
    return calendar


@transaction.atomic
def business_calendar_delete(*, actor: User, calendar: BusinessCalendar) -> None:
    """Its hours and holidays go with it; the next calendar, or the default one, is used from then on."""
    before = values_of(calendar, _CALENDAR_FIELDS) | _hours_text(calendar) | _holidays_text(calendar)
    audit_record(actor=actor, action=Action.DELETED, instance=calendar, before=before)
    calendar.delete()


def _hours_text(calendar: BusinessCalendar) -> dict[str, str]:
    return {f"hours:{row.weekday}": f"{row.opens:%H:%M}–{row.closes:%H:%M}" for row in calendar.hours.all()}


def _holidays_text(calendar: BusinessCalendar) -> dict[str, str]:
    return {f"holiday:{row.date.isoformat()}": row.name or "—" for row in calendar.holidays.all()}


# --- Opening hours and holidays -------------------------------------------------------------------


@transaction.atomic
def business_hours_set(
    *, actor: User, calendar: BusinessCalendar, weekday: int, opens: time, closes: time
) -> BusinessHours:
    if not opens < closes:
        raise ValidationError({"closes": _("Closing time must be after opening time.")})
    before = _hours_text(calendar)
    hours, _created = BusinessHours.objects.update_or_create(
        calendar=calendar, weekday=weekday, defaults={"opens": opens, "closes": closes}
    )
    audit_record(actor=actor, action=Action.CHANGED, instance=calendar, before=before, after=_hours_text(calendar))
    return hours


@transaction.atomic
def business_hours_remove(*, actor: User, calendar: BusinessCalendar, weekday: int) -> None:
    """The desk is closed on that weekday from now on."""
    before = _hours_text(calendar)
    BusinessHours.objects.filter(calendar=calendar, weekday=weekday).delete()
    audit_record(actor=actor, action=Action.CHANGED, instance=calendar, before=before, after=_hours_text(calendar))


@transaction.atomic
def holiday_set(*, actor: User, calendar: BusinessCalendar, day: date, name: str = "") -> Holiday:
    before = _holidays_text(calendar)
    holiday, _created = Holiday.objects.update_or_create(calendar=calendar, date=day, defaults={"name": name})
    audit_record(actor=actor, action=Action.CHANGED, instance=calendar, before=before, after=_holidays_text(calendar))
    return holiday


@transaction.atomic
def holiday_remove(*, actor: User, calendar: BusinessCalendar, day: date) -> None:
    before = _holidays_text(calendar)
    Holiday.objects.filter(calendar=calendar, date=day).delete()
    audit_record(actor=actor, action=Action.CHANGED, instance=calendar, before=before, after=_holidays_text(calendar))
