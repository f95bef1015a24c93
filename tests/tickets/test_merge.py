"""Merging a duplicate: the conversation moves, the merchant's old link leads to the survivor, behind the gate."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from tickets import services
from tickets.access import attachment_for, ticket_for
from tickets.models import TicketEvent

from .conftest import photo


@pytest.fixture
def pair(make_ticket, merchant):
    survivor, _ = make_ticket(requester=merchant)
    duplicate, duplicate_token = make_ticket(requester=merchant, description="重复：又提示请重新签到", files=[photo()])
    return survivor, duplicate, duplicate_token


def test_messages_and_files_move_to_the_survivor(pair, agent):
    survivor, duplicate, _token = pair
    services.ticket_merge(ticket=duplicate, into=survivor, agent=agent)
    assert survivor.messages.filter(body__startswith="重复").exists()
    assert survivor.attachments.count() == 1
    assert not duplicate.messages.exists() and not duplicate.attachments.exists()
    duplicate.refresh_from_db()
    assert (duplicate.merged_into, duplicate.status) == (survivor, "closed")


def test_both_tickets_record_the_merge(pair, agent):
    survivor, duplicate, _token = pair
    services.ticket_merge(ticket=duplicate, into=survivor, agent=agent)
    merged = TicketEvent.Kind.MERGED
    assert list(duplicate.events.filter(kind=merged).values_list("new_value", flat=True)) == [survivor.reference]
    assert list(survivor.events.filter(kind=merged).values_list("old_value", flat=True)) == [duplicate.reference]


def test_the_old_tracking_link_leads_to_the_survivor(client, pair, agent):
    survivor, duplicate, token = pair
    services.ticket_merge(ticket=duplicate, into=survivor, agent=agent)
    assert ticket_for(user=None, key=f"t/{token}") == survivor
    with translation.override("zh-hans"):
        page = client.get(reverse("tickets:detail", kwargs={"key": f"t/{token}"}))
    assert page.status_code == 200
    assert survivor.reference in page.content.decode()


def test_the_owners_old_reference_leads_to_the_survivor(pair, agent, merchant):
    survivor, duplicate, _token = pair
    services.ticket_merge(ticket=duplicate, into=survivor, agent=agent)
    assert ticket_for(user=merchant, key=duplicate.reference) == survivor


def test_the_gate_still_holds_after_a_merge(pair, agent, outsider):
    survivor, duplicate, _token = pair
    services.ticket_merge(ticket=duplicate, into=survivor, agent=agent)
    with pytest.raises(Http404):
        ticket_for(user=outsider, key=duplicate.reference)
    moved = survivor.attachments.get()
    with pytest.raises(Http404):
        attachment_for(user=outsider, key=duplicate.reference, pk=moved.pk)


def test_the_moved_file_is_served_through_the_old_link(pair, agent):
    survivor, duplicate, token = pair
    services.ticket_merge(ticket=duplicate, into=survivor, agent=agent)
    moved = survivor.attachments.get()
    assert attachment_for(user=None, key=f"t/{token}", pk=moved.pk) == moved


def test_tickets_of_different_merchants_are_not_merged(make_ticket, agent):
    one, _ = make_ticket()
    other, _ = make_ticket(merchant_id="999999999999999")
    with pytest.raises(ValidationError):
        services.ticket_merge(ticket=one, into=other, agent=agent)
    assert other.messages.count() == 1


def test_a_ticket_is_not_merged_into_itself_or_twice(pair, agent, make_ticket, merchant):
    survivor, duplicate, _token = pair
    with pytest.raises(ValidationError):
        services.ticket_merge(ticket=survivor, into=survivor, agent=agent)
    services.ticket_merge(ticket=duplicate, into=survivor, agent=agent)
    third, _ = make_ticket(requester=merchant)
    with pytest.raises(ValidationError):
        services.ticket_merge(ticket=duplicate, into=third, agent=agent)
    with pytest.raises(ValidationError):
        services.ticket_merge(ticket=third, into=duplicate, agent=agent)


def test_staff_who_may_only_read_cannot_merge(pair, view_only_staff):
    survivor, duplicate, _token = pair
    with pytest.raises(PermissionDenied):
        services.ticket_merge(ticket=duplicate, into=survivor, agent=view_only_staff)
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
