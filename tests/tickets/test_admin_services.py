"""Every admin page that changes tickets, canned replies, time targets or calendars writes through the
services: a save or a deletion there, one by one or with the bulk action, leaves the service's record
(a TicketEvent or an audit event) naming the admin's user."""

from datetime import date

import pytest
from django.urls import reverse

from infra.models import AuditEvent
from tickets.models import BusinessCalendar, CannedReply, ServiceTarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(agent, client):
    agent.is_superuser = True
    agent.save()
    client.force_login(agent)
    return agent


def audit_of(model, **filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(model=model._meta.label_lower, **filters).order_by("pk"))


def bulk_delete(client, model, objects):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    data = {"action": "delete_selected", "_selected_action": [obj.pk for obj in objects], "post": "yes"}
    return client.post(url, data)


def delete_page(client, obj):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])
    return client.post(url, {"post": "yes"})


# --- Canned replies -----------------------------------------------------------------------------------


def canned(**values):
    return CannedReply.objects.create(**({"title": "签到", "body": "请重新签到", "language": "zh-hans"} | values))


def test_adding_a_canned_reply_in_the_admin_records_who_wrote_it(client, superuser):
    data = {"title": "结算", "language": "zh-hans", "body": "请先结算", "is_active": "on"}
    assert client.post(reverse("admin:tickets_cannedreply_add"), data).status_code == 302
    reply = CannedReply.objects.get()
    (event,) = audit_of(CannedReply)
    assert (event.action, event.actor, event.object_id) == ("created", superuser, str(reply.pk))
    assert event.changes["title"] == ["", "结算"]


def test_changing_a_canned_reply_in_the_admin_records_old_and_new_text(client, superuser):
    reply = canned()
    url = reverse("admin:tickets_cannedreply_change", args=[reply.pk])
    data = {"title": "签到", "language": "zh-hans", "body": "请先签退再签到", "is_active": "on"}
    assert client.post(url, data).status_code == 302
    (event,) = audit_of(CannedReply)
    assert (event.action, event.actor) == ("changed", superuser)
    assert event.changes == {"body": ["请重新签到", "请先签退再签到"]}


def test_deleting_a_canned_reply_in_the_admin_records_it(client, superuser):
    reply = canned()
    assert delete_page(client, reply).status_code == 302
    assert not CannedReply.objects.exists()
    (event,) = audit_of(CannedReply)
    assert (event.action, event.actor, event.object_repr) == ("deleted", superuser, str(reply))


def test_the_bulk_delete_action_deletes_canned_replies_through_the_service(client, superuser):
    replies = [canned(title="一"), canned(title="二")]
    assert bulk_delete(client, CannedReply, replies).status_code == 302
    assert not CannedReply.objects.exists()
    assert [(e.action, e.actor) for e in audit_of(CannedReply)] == [("deleted", superuser)] * 2


# --- Time targets -----------------------------------------------------------------------------------


def test_changing_a_target_in_the_admin_records_old_and_new_values(client, superuser):
    target = ServiceTarget.objects.get(priority="high")
    url = reverse("admin:tickets_servicetarget_change", args=[target.pk])
    data = {"priority": "high", "first_response_minutes": "45", "resolution_hours": str(target.resolution_hours)}
    assert client.post(url, data).status_code == 302
    (event,) = audit_of(ServiceTarget)
    assert (event.action, event.actor) == ("changed", superuser)
    assert event.changes == {"first_response_minutes": [str(target.first_response_minutes), "45"]}


def test_changing_a_targets_priority_moves_that_row_and_leaves_no_copy(client, superuser):
    ServiceTarget.objects.filter(priority="low").delete()
    target = ServiceTarget.objects.get(priority="high")
    url = reverse("admin:tickets_servicetarget_change", args=[target.pk])
    data = {"priority": "low", "first_response_minutes": "45", "resolution_hours": "6"}
    assert client.post(url, data).status_code == 302
    assert ServiceTarget.objects.get(pk=target.pk).priority == "low"
    assert not ServiceTarget.objects.filter(priority="high").exists()


def test_adding_and_deleting_a_target_in_the_admin_records_both(client, superuser):
    ServiceTarget.objects.filter(priority="low").delete()
    data = {"priority": "low", "first_response_minutes": "480", "resolution_hours": "48"}
    assert client.post(reverse("admin:tickets_servicetarget_add"), data).status_code == 302
    assert delete_page(client, ServiceTarget.objects.get(priority="low")).status_code == 302
    assert [(e.action, e.actor) for e in audit_of(ServiceTarget)] == [("created", superuser), ("deleted", superuser)]


def test_the_bulk_delete_action_deletes_targets_through_the_service(client, superuser):
    targets = list(ServiceTarget.objects.filter(priority__in=["low", "high"]))
    assert bulk_delete(client, ServiceTarget, targets).status_code == 302
    assert not ServiceTarget.objects.filter(priority__in=["low", "high"]).exists()
    assert [e.action for e in audit_of(ServiceTarget)] == ["deleted", "deleted"]


# --- Calendars ------------------------------------------------------------------------------------


def calendar_form(calendar: BusinessCalendar, **values) -> dict:
    hours = list(calendar.hours.order_by("weekday"))
    data = {
        "name": calendar.name,
        "timezone": calendar.timezone,
        "hours-TOTAL_FORMS": str(len(hours)),
        "hours-INITIAL_FORMS": str(len(hours)),
        "holidays-TOTAL_FORMS": "0",
        "holidays-INITIAL_FORMS": "0",
    }
    for index, row in enumerate(hours):
        prefix = f"hours-{index}-"
        data |= {prefix + "id": str(row.pk), prefix + "calendar": str(calendar.pk), prefix + "weekday": row.weekday}
        data |= {prefix + "opens": f"{row.opens:%H:%M}", prefix + "closes": f"{row.closes:%H:%M}"}
    return data | values


def test_renaming_a_calendar_in_the_admin_records_it(client, superuser):
    calendar = BusinessCalendar.objects.get()
    url = reverse("admin:tickets_businesscalendar_change", args=[calendar.pk])
    assert client.post(url, calendar_form(calendar, name="上海客服")).status_code == 302
    (event,) = audit_of(BusinessCalendar)
    assert (event.action, event.actor, event.changes) == ("changed", superuser, {"name": [calendar.name, "上海客服"]})


def test_closing_a_day_and_adding_a_holiday_in_the_admin_are_recorded_on_the_calendar(client, superuser):
    calendar = BusinessCalendar.objects.get()
    url = reverse("admin:tickets_businesscalendar_change", args=[calendar.pk])
    data = calendar_form(calendar, **{"hours-6-DELETE": "on", "holidays-TOTAL_FORMS": "1"})
    data |= {"holidays-0-date": "2026-10-01", "holidays-0-name": "国庆节"}
    assert client.post(url, data).status_code == 302
    changes = [e.changes for e in audit_of(BusinessCalendar, actor=superuser)]
    assert {"hours:6": ["09:00–21:00", ""]} in changes
    assert {"holiday:2026-10-01": ["", "国庆节"]} in changes
    assert calendar.holidays.get().date == date(2026, 10, 1)


def test_moving_opening_hours_to_another_weekday_closes_the_old_one(client, superuser):
    calendar = BusinessCalendar.objects.get()
    calendar.hours.filter(weekday=5).delete()
    url = reverse("admin:tickets_businesscalendar_change", args=[calendar.pk])
    assert client.post(url, calendar_form(calendar, **{"hours-5-weekday": "5"})).status_code == 302  # Sun → Sat
    assert sorted(calendar.hours.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4, 5]


def test_adding_and_deleting_a_calendar_in_the_admin_records_both(client, superuser):
    data = {"name": "夜班", "timezone": "Asia/Shanghai", "hours-TOTAL_FORMS": "0", "hours-INITIAL_FORMS": "0"}
    data |= {"holidays-TOTAL_FORMS": "0", "holidays-INITIAL_FORMS": "0"}
    assert client.post(reverse("admin:tickets_businesscalendar_add"), data).status_code == 302
    night = BusinessCalendar.objects.get(name="夜班")
    assert bulk_delete(client, BusinessCalendar, [night]).status_code == 302
    assert not BusinessCalendar.objects.filter(name="夜班").exists()
    events = audit_of(BusinessCalendar, object_id=str(night.pk))
    assert [(e.action, e.actor) for e in events] == [("created", superuser), ("deleted", superuser)]


# --- Tickets ----------------------------------------------------------------------------------------


def test_tickets_cannot_be_deleted_from_the_admin_even_by_a_superuser(client, superuser, make_ticket):
    ticket, _token = make_ticket()
    assert delete_page(client, ticket).status_code == 403
    bulk_delete(client, type(ticket), [ticket])  # the changelist offers no such action
    assert type(ticket).objects.filter(pk=ticket.pk).exists()
