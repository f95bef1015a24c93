"""Business-time arithmetic (tickets/sla.py): pure functions, no database."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tickets import sla

SH = ZoneInfo("Asia/Shanghai")
DESK = sla.default_calendar()  # every day 09:00–21:00 Shanghai
WEEKDAYS = sla.Calendar(zone=SH, hours={day: (time(9), time(18)) for day in range(5)})


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


def test_time_inside_opening_hours_counts_directly():
    assert sla.add_business_time(at(2, 10), timedelta(hours=2), DESK) == at(2, 12)


def test_a_ticket_filed_overnight_starts_counting_at_the_next_opening():
    assert sla.add_business_time(at(2, 23, 30), timedelta(minutes=30), DESK) == at(3, 9, 30)


def test_a_ticket_filed_before_opening_starts_counting_at_opening():
    assert sla.add_business_time(at(2, 6), timedelta(hours=1), DESK) == at(2, 10)


def test_time_left_at_closing_carries_over_to_the_next_day():
    assert sla.add_business_time(at(2, 20), timedelta(hours=2), DESK) == at(3, 10)


def test_a_target_that_ends_exactly_at_closing_is_due_at_closing():
    assert sla.add_business_time(at(2, 19), timedelta(hours=2), DESK) == at(2, 21)


def test_a_ticket_filed_exactly_at_closing_counts_from_the_next_opening():
    assert sla.add_business_time(at(2, 21), timedelta(minutes=1), DESK) == at(3, 9, 1)


def test_a_long_target_spans_several_business_days():
    # 24 business hours = two full 12-hour days from opening.
    assert sla.add_business_time(at(2, 9), timedelta(hours=24), DESK) == at(3, 21)


def test_weekends_are_skipped_on_a_weekday_calendar():
    friday = at(4, 17)  # 2026-12-04 is a Friday
    assert friday.weekday() == 4
    assert sla.add_business_time(friday, timedelta(hours=2), WEEKDAYS) == at(7, 10)


def test_holidays_are_skipped():
    calendar = sla.Calendar(zone=SH, hours=DESK.hours, holidays=frozenset({date(2026, 12, 3)}))
    assert sla.add_business_time(at(2, 20), timedelta(hours=2), calendar) == at(4, 10)


def test_several_holidays_in_a_row_are_skipped():
    days = frozenset(date(2026, 10, day) for day in range(1, 8))  # the National Day week
    calendar = sla.Calendar(zone=SH, hours=DESK.hours, holidays=days)
    assert sla.add_business_time(at(30, 20, month=9), timedelta(hours=2), calendar) == at(8, 10, month=10)


def test_the_result_is_the_same_instant_whatever_zone_the_start_is_given_in():
    start = at(2, 20).astimezone(UTC)
    assert sla.add_business_time(start, timedelta(hours=2), DESK) == at(3, 10)


def test_a_calendar_in_a_zone_without_dst_counts_its_own_local_hours():
    utc_desk = sla.Calendar(zone=ZoneInfo("UTC"), hours={day: (time(9), time(17)) for day in range(7)})
    # 20:00 Shanghai is 12:00 UTC: five hours left that day, one the next.
    assert sla.add_business_time(at(2, 20), timedelta(hours=6), utc_desk) == datetime(2026, 12, 3, 10, tzinfo=UTC)


def test_business_time_between_counts_only_opening_hours():
    assert sla.business_time_between(at(2, 20), at(3, 10), DESK) == timedelta(hours=2)


def test_business_time_between_is_zero_when_end_is_not_later():
    assert sla.business_time_between(at(3, 10), at(2, 10), DESK) == timedelta()


def test_a_pause_pushes_the_due_time_back_by_its_business_time():
    created = at(2, 10)
    plain = sla.due_at(created_at=created, target=timedelta(hours=4), calendar=DESK)
    paused = sla.due_at(
        created_at=created, target=timedelta(hours=4), calendar=DESK, pauses=[(at(2, 11), at(2, 12, 30))]
    )
    assert plain == at(2, 14)
    assert paused == at(2, 15, 30)


def test_a_pause_over_night_only_counts_its_business_hours():
    pauses = [(at(2, 20), at(3, 10))]  # 1 h on the evening, 1 h the next morning
    due = sla.due_at(created_at=at(2, 18), target=timedelta(hours=4), calendar=DESK, pauses=pauses)
    # 4 h target + 2 h paused from 18:00: 3 h that evening, 3 h from 09:00 the next day.
    assert due == at(3, 12)


def test_a_priority_change_recomputes_from_creation_with_the_new_target():
    created = at(2, 10)
    normal = sla.due_at(created_at=created, target=timedelta(hours=24), calendar=DESK)
    urgent = sla.due_at(created_at=created, target=timedelta(hours=4), calendar=DESK)
    assert (normal, urgent) == (at(4, 10), at(2, 14))


def test_pauses_come_from_the_status_history():
    changes = [
        (at(2, 10), "new", "open"),
        (at(2, 11), "open", "waiting_on_merchant"),
        (at(2, 12), "waiting_on_merchant", "open"),
        (at(2, 13), "open", "resolved"),
        (at(2, 14), "resolved", "closed"),
        (at(2, 15), "closed", "open"),
    ]
    periods = sla.pauses_from(changes, paused_statuses={"waiting_on_merchant", "resolved", "closed"}, now=at(3, 9))
    assert periods == [(at(2, 11), at(2, 12)), (at(2, 13), at(2, 15))]


def test_a_pause_still_going_on_lasts_until_now():
    changes = [(at(2, 11), "open", "waiting_on_merchant")]
    assert sla.pauses_from(changes, paused_statuses={"waiting_on_merchant"}, now=at(2, 16)) == [(at(2, 11), at(2, 16))]


def test_opening_hours_must_open_before_they_close():
    with pytest.raises(ValueError):
        sla.Calendar(zone=SH, hours={0: (time(18), time(9))})


def test_a_calendar_without_any_opening_hours_is_refused_rather_than_looping():
    with pytest.raises(ValueError):
        sla.add_business_time(at(2, 10), timedelta(hours=1), sla.Calendar(zone=SH, hours={}))
