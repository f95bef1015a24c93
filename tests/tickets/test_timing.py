"""Due times stored by the ticket services, and the time-target policy as the admin edits it."""

from datetime import date, datetime, time
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tickets import services
from tickets.models import BusinessCalendar, BusinessHours, Holiday, ServiceTarget
from tickets.services import policy

SH = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SH)


def clock(moment: datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def evening_ticket(make_ticket):
    # Filed at 20:00 on a Wednesday: one business hour left that day under the default policy.
    with clock(at(2, 20)):
        ticket, _token = make_ticket()
    return ticket


def test_the_migration_installs_the_default_policy(db):
    calendar = BusinessCalendar.objects.get()
    assert calendar.timezone == "Asia/Shanghai"
    assert {(h.weekday, h.opens, h.closes) for h in calendar.hours.all()} == {
        (day, time(9), time(21)) for day in range(7)
    }
    assert ServiceTarget.objects.get(priority="normal").first_response_minutes == 240


def test_a_new_ticket_gets_its_due_times_in_business_hours(evening_ticket):
    evening_ticket.refresh_from_db()
    assert evening_ticket.first_response_due == at(3, 12)  # 1 h on the evening, 3 h the next morning
    assert evening_ticket.resolution_due == at(4, 20)  # 24 business hours


def test_raising_the_priority_brings_the_due_times_forward(evening_ticket, agent):
    with clock(at(2, 20, 10)):
        services.ticket_priority_set(ticket=evening_ticket, agent=agent, priority="urgent")
    evening_ticket.refresh_from_db()
    assert evening_ticket.first_response_due == at(2, 20, 30)
    assert evening_ticket.resolution_due == at(3, 12)


def test_waiting_on_the_merchant_pauses_the_clock(evening_ticket, agent):
    with clock(at(3, 9)):
        services.ticket_agent_reply(ticket=evening_ticket, agent=agent, body="请重新签到后再试。")
    with clock(at(3, 11)):
        services.ticket_reply(ticket=evening_ticket, author=None, body="还是不行。")
    evening_ticket.refresh_from_db()
    # Two business hours waited on the merchant: resolution moves from Friday 20:00 to Saturday 10:00.
    assert evening_ticket.resolution_due == at(5, 10)
    assert evening_ticket.first_response_due == at(3, 12)  # answered: kept for the record


def test_a_holiday_in_the_policy_moves_new_due_times(make_ticket):
    policy.holiday_set(actor=None, calendar=BusinessCalendar.objects.get(), day=date(2026, 12, 3), name="测试假日")
    with clock(at(2, 20)):
        ticket, _token = make_ticket()
    ticket.refresh_from_db()
    assert ticket.first_response_due == at(4, 12)


def test_targets_must_be_positive(db):
    with translation.override("en"), pytest.raises(ValidationError, match="zero"):
        policy.service_target_set(actor=None, priority="low", first_response_minutes=0, resolution_hours=1)


def test_closing_hours_must_follow_opening_hours(db):
    with translation.override("en"), pytest.raises(ValidationError, match="after"):
        policy.business_hours_set(
            actor=None, calendar=BusinessCalendar.objects.get(), weekday=0, opens=time(18), closes=time(9)
        )


def test_the_admin_saves_a_target_through_the_service(client, agent):
    client.force_login(agent)
    agent.is_superuser = True
    agent.save()
    target = ServiceTarget.objects.get(priority="high")
    url = f"/admin/tickets/servicetarget/{target.pk}/change/"
    with mock.patch("tickets.admin.policy.service_target_update", wraps=policy.service_target_update) as service:
        response = client.post(url, {"priority": "high", "first_response_minutes": "45", "resolution_hours": "6"})
    assert response.status_code == 302
    service.assert_called_once_with(
        actor=agent, target=target, priority="high", first_response_minutes=45, resolution_hours=6
    )
    assert ServiceTarget.objects.get(priority="high").first_response_minutes == 45


def test_the_admin_adds_a_holiday_and_closes_a_day_through_the_services(client, agent):
    agent.is_superuser = True
    agent.save()
    client.force_login(agent)
    calendar = BusinessCalendar.objects.get()
    hours = list(calendar.hours.all())
    data = {
        "name": calendar.name,
        "timezone": "Asia/Shanghai",
        "hours-TOTAL_FORMS": str(len(hours)),
        "hours-INITIAL_FORMS": str(len(hours)),
        "holidays-TOTAL_FORMS": "1",
        "holidays-INITIAL_FORMS": "0",
        "holidays-0-date": "2026-10-01",
        "holidays-0-name": "国庆节",
    }
    for index, row in enumerate(hours):
        prefix = f"hours-{index}-"
        data |= {
            prefix + "id": str(row.pk),
            prefix + "calendar": str(calendar.pk),
            prefix + "weekday": str(row.weekday),
        }
        data |= {prefix + "opens": "09:00", prefix + "closes": "21:00"}
    data["hours-6-DELETE"] = "on"  # Sunday
    response = client.post(f"/admin/tickets/businesscalendar/{calendar.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Holiday.objects.get(calendar=calendar).date == date(2026, 10, 1)
    assert not BusinessHours.objects.filter(calendar=calendar, weekday=6).exists()


def test_the_tracking_page_says_when_to_expect_a_first_answer(client, make_ticket):
    with clock(at(2, 20)):
        _ticket, token = make_ticket()
    body = client.get(f"/en/tickets/t/{token}/").content.decode()
    assert 'Expect a first answer from support by <span class="nowrap">2026-12-03 12:00</span>' in body


def test_the_tracking_page_drops_the_promise_once_support_answered(client, make_ticket, agent):
    ticket, token = make_ticket()
    services.ticket_agent_reply(ticket=ticket, agent=agent, body="已处理。")
    assert "Expect a first answer" not in client.get(f"/en/tickets/t/{token}/").content.decode()


def test_the_confirmation_page_says_when_to_expect_a_first_answer(client, db):
    from .conftest import form_data

    response = client.post("/en/tickets/new/", form_data(), follow=True)
    assert response.request["PATH_INFO"].endswith("/sent/")
    assert "Expect a first answer from support by" in response.content.decode()
