"""The queue's views, filters, sorts and pages, and what a bad filter value gets (a message, not an error)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.agents.conftest import bulk_tickets, make_ticket
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _shown(response) -> list[str]:
    return [ticket.reference for ticket in response.context["page"].object_list]


def _get(client, **params):
    return client.get(reverse("agents:queue"), params)


def test_unassigned_shows_only_active_tickets_nobody_has(agent_client, agent):
    free = make_ticket()
    make_ticket(assignee=agent)
    make_ticket(status=Ticket.Status.RESOLVED)
    assert _shown(_get(agent_client, view="unassigned")) == [free.reference]


def test_mine_shows_the_agents_own_tickets(agent_client, agent):
    mine = make_ticket(assignee=agent)
    make_ticket()
    assert _shown(_get(agent_client, view="mine")) == [mine.reference]


def test_waiting_shows_tickets_waiting_on_the_merchant(agent_client):
    waiting = make_ticket(status=Ticket.Status.WAITING_ON_MERCHANT)
    make_ticket(status=Ticket.Status.OPEN)
    assert _shown(_get(agent_client, view="waiting")) == [waiting.reference]


def test_about_to_breach_shows_overdue_and_soon_due_tickets_and_ignores_missing_targets(agent_client):
    now = timezone.now()
    overdue = make_ticket(first_response_due=now - timedelta(hours=1))
    soon = make_ticket(first_response_due=now + timedelta(minutes=30))
    make_ticket(first_response_due=now + timedelta(days=2))
    make_ticket()  # no target at all
    # Answered already: the resolution target is the one that counts, and it is far away.
    make_ticket(
        first_response_due=now - timedelta(hours=1), first_responded_at=now, resolution_due=now + timedelta(days=3)
    )
    assert _shown(_get(agent_client, view="breaching")) == [overdue.reference, soon.reference]


def test_recently_updated_leaves_out_tickets_untouched_for_a_day(agent_client):
    fresh = make_ticket()
    make_ticket(updated_at=timezone.now() - timedelta(days=2))
    assert _shown(_get(agent_client, view="recent")) == [fresh.reference]


@pytest.mark.parametrize(
    ("params", "match", "other"),
    [
        ({"status": "open"}, {"status": "open"}, {"status": "new"}),
        ({"priority": "urgent"}, {"priority": "urgent"}, {"priority": "low"}),
        ({"code": "a0"}, {"response_code": "A0"}, {"response_code": "05"}),
        ({"acquirer": "银联"}, {"acquirer": "银联商务"}, {"acquirer": "拉卡拉"}),
        ({"terminal": "87654321"}, {"terminal_id": "87654321"}, {"terminal_id": "12345678"}),
        ({"terminal": "102310058129999"}, {"merchant_id": "102310058129999"}, {}),
        ({"article": "sign-on"}, {"article_slug": "sign-on"}, {"article_slug": "other"}),
    ],
)
def test_each_filter_keeps_only_matching_tickets(agent_client, params, match, other):
    wanted = make_ticket(**match)
    make_ticket(**other)
    assert _shown(_get(agent_client, **params)) == [wanted.reference]


def test_the_assignee_filter_takes_an_agent_or_nobody(agent_client, agent):
    theirs = make_ticket(assignee=agent)
    nobodys = make_ticket()
    assert _shown(_get(agent_client, assignee=str(agent.pk))) == [theirs.reference]
    assert _shown(_get(agent_client, assignee="none")) == [nobodys.reference]


def test_the_date_range_includes_both_end_days(agent_client):
    today = timezone.localdate()
    inside = make_ticket()
    make_ticket(created_at=timezone.now() - timedelta(days=10))
    response = _get(agent_client, created_from=str(today - timedelta(days=1)), created_to=str(today))
    assert _shown(response) == [inside.reference]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "bogus"},
        {"code": "<script>"},
        {"terminal": "12 34"},
        {"created_from": "yesterday"},
        {"created_from": "2026-05-02", "created_to": "2026-05-01"},
        {"size": "100000"},
        {"assignee": "999999"},
        {"view": "everything"},
    ],
)
def test_a_bad_filter_value_shows_a_message_instead_of_an_error(agent_client, params):
    make_ticket()
    response = _get(agent_client, **params)
    assert response.status_code == 400
    assert response.context["page"] is None
    assert "筛选条件无效" in response.text


def test_the_default_sort_is_by_the_next_due_time_with_no_target_last(agent_client):
    now = timezone.now()
    later = make_ticket(first_response_due=now + timedelta(hours=5))
    none = make_ticket(first_response_due=None, resolution_due=None)
    first = make_ticket(first_response_due=now + timedelta(hours=1))
    answered = make_ticket(first_responded_at=now, resolution_due=now + timedelta(hours=3))
    assert _shown(_get(agent_client)) == [first.reference, answered.reference, later.reference, none.reference]


def test_sorting_by_priority_puts_urgent_first(agent_client):
    low = make_ticket(priority="low")
    urgent = make_ticket(priority="urgent")
    normal = make_ticket(priority="normal")
    assert _shown(_get(agent_client, sort="priority")) == [urgent.reference, normal.reference, low.reference]


def test_sorting_by_age_puts_the_oldest_first_and_by_update_the_latest_first(agent_client):
    now = timezone.now()
    old = make_ticket(created_at=now - timedelta(days=3), updated_at=now - timedelta(minutes=1))
    new = make_ticket(updated_at=now - timedelta(hours=2))
    assert _shown(_get(agent_client, sort="age")) == [old.reference, new.reference]
    assert _shown(_get(agent_client, sort="updated")) == [old.reference, new.reference]
    Ticket.objects.filter(pk=new.pk).update(updated_at=now)
    assert _shown(_get(agent_client, sort="updated")) == [new.reference, old.reference]


def test_the_queue_is_paginated_and_a_bad_page_number_shows_a_page(agent_client):
    bulk_tickets(30)
    first = _get(agent_client, size="25")
    assert len(_shown(first)) == 25
    second = _get(agent_client, size="25", page="2")
    assert len(_shown(second)) == 5
    assert not set(_shown(first)) & set(_shown(second))
    assert len(_shown(_get(agent_client, page="zzz"))) == 25
