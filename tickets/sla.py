"""Time targets in business hours: pure functions over a calendar, no database.

A ticket's clock runs only while support has it: during business hours, on business days, and not while the
ticket waits on the merchant (or sits resolved). Due times are computed from scratch — creation time, the
target for the current priority, and the pauses so far — so a priority change or a pause simply re-computes.
All arithmetic is done in UTC on window edges built in the calendar's zone, so zones with DST are safe too.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How far ahead to look for business hours before deciding a calendar has none.
SEARCH_DAYS = 800


@dataclass(frozen=True)
class Calendar:
    """Opening hours per weekday (0 = Monday; a missing day is closed), holidays, and the zone they are in."""

    zone: ZoneInfo
    hours: Mapping[int, tuple[time, time]]
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self):
        for weekday, (opens, closes) in self.hours.items():
            if not 0 <= weekday <= 6 or not opens < closes:
                raise ValueError(f"Weekday {weekday}: opening hours must open before they close.")

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's business hours as UTC datetimes, or None when closed all day."""
        if day in self.holidays or day.weekday() not in self.hours:
            return None
        opens, closes = self.hours[day.weekday()]
        start = datetime.combine(day, opens, tzinfo=self.zone).astimezone(UTC)
        return start, datetime.combine(day, closes, tzinfo=self.zone).astimezone(UTC)

    def windows_from(self, moment: datetime):
        """Business windows from the local day of `moment` on, clipped to start no earlier than it."""
        day = moment.astimezone(self.zone).date()
        for offset in range(SEARCH_DAYS):
            window = self.window(day + timedelta(days=offset))
            if window is None:
                continue
            start, end = window
            if end > moment:
                yield max(start, moment), end
        raise ValueError("The business calendar has no opening hours in the coming years.")


def default_calendar() -> Calendar:
    """Every day 09:00–21:00 in Shanghai, no holidays: the policy the migration installs."""
    return Calendar(zone=ZoneInfo("Asia/Shanghai"), hours={day: (time(9), time(21)) for day in range(7)})


def add_business_time(start: datetime, duration: timedelta, calendar: Calendar) -> datetime:
    """The moment `duration` of business time after `start`.

    Time that fits exactly into a day ends at that day's closing time, not at the next opening.
    """
    remaining = duration
    for begin, end in calendar.windows_from(start.astimezone(UTC)):
        if remaining <= end - begin:
            return begin + remaining
        remaining -= end - begin
    raise AssertionError("unreachable: windows_from raises when it runs out")


def business_time_between(start: datetime, end: datetime, calendar: Calendar) -> timedelta:
    """How much business time lies between two moments (zero if end is not after start)."""
    total = timedelta()
    end = end.astimezone(UTC)
    if end <= start:
        return total
    for begin, close in calendar.windows_from(start.astimezone(UTC)):
        if begin >= end:
            break
        total += min(close, end) - begin
    return total


def paused_time(pauses: Iterable[tuple[datetime, datetime]], calendar: Calendar) -> timedelta:
    return sum((business_time_between(begin, end, calendar) for begin, end in pauses), timedelta())


def due_at(
    *,
    created_at: datetime,
    target: timedelta,
    calendar: Calendar,
    pauses: Iterable[tuple[datetime, datetime]] = (),
) -> datetime:
    """When a target counted from `created_at` falls due, with the business time of each pause added."""
    return add_business_time(created_at, target + paused_time(pauses, calendar), calendar)


def pauses_from(
    changes: Iterable[tuple[datetime, str, str]], *, paused_statuses: Iterable[str], now: datetime
) -> list[tuple[datetime, datetime]]:
    """The periods spent in a paused status, from the ticket's status changes (at, old, new) in order.

    A pause still going on ends at `now`: the due time then moves on as the pause lasts.
    """
    paused = set(paused_statuses)
    periods, began = [], None
    for at, old, new in changes:
        if new in paused and old not in paused:
            began = at
        elif old in paused and new not in paused and began is not None:
            periods.append((began, at))
            began = None
    if began is not None:
        periods.append((began, now))
    return periods
