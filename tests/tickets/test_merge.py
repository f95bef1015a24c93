"""Merging a duplicate: it is closed and points to the survivor, each ticket keeps its own conversation, and
each requester's link shows only their own request (issue 18: a MID is printed on every receipt, so anyone can
file a "duplicate" of someone else's ticket)."""

import importlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tickets import services
from tickets.access import attachment_for, ticket_for
from tickets.models import Attachment, Ticket, TicketEvent, TicketMessage

from .conftest import photo


@pytest.fixture
def pair(make_ticket, merchant):
    survivor, _ = make_ticket(requester=merchant)
    duplicate, duplicate_token = make_ticket(requester=merchant, description="重复：又提示请重新签到", files=[photo()])
    return survivor, duplicate, duplicate_token


def test_each_ticket_keeps_its_own_messages_and_files(pair, agent):
    survivor, duplicate, _token = pair
    services.ticket_merge(ticket=duplicate, into=survivor, agent=agent)
    assert duplicate.messages.filter(body__startswith="重复").exists()
    assert duplicate.attachments.count() == 1
    assert not survivor.messages.filter(body__startswith="重复").exists() and not survivor.attachments.exists()
    duplicate.refresh_from_db()
    assert (duplicate.merged_into, duplicate.status) == (survivor, "closed")


def test_both_tickets_record_the_merge(pair, agent):
    survivor, duplicate, _token = pair
    services.ticket_merge(ticket=duplicate, into=survivor, agent=agent)
    merged = TicketEvent.Kind.MERGED
    assert list(duplicate.events.filter(kind=merged).values_list("new_value", flat=True)) == [survivor.reference]
    assert list(survivor.events.filter(kind=merged).values_list("old_value", flat=True)) == [duplicate.reference]


def test_the_old_tracking_link_still_leads_to_its_own_ticket(pair, agent):
    survivor, duplicate, token = pair
    services.ticket_merge(ticket=duplicate, into=survivor, agent=agent)
    assert ticket_for(user=None, key=f"t/{token}") == duplicate


def test_the_owners_old_reference_still_leads_to_its_own_ticket(pair, agent, merchant):
    survivor, duplicate, _token = pair
    services.ticket_merge(ticket=duplicate, into=survivor, agent=agent)
    assert ticket_for(user=merchant, key=duplicate.reference) == duplicate


def test_the_gate_still_holds_after_a_merge(pair, agent, outsider):
    survivor, duplicate, _token = pair
    services.ticket_merge(ticket=duplicate, into=survivor, agent=agent)
    with pytest.raises(Http404):
        ticket_for(user=outsider, key=duplicate.reference)
    kept = duplicate.attachments.get()
    with pytest.raises(Http404):
        attachment_for(user=outsider, key=duplicate.reference, pk=kept.pk)


def test_the_duplicates_own_file_is_still_served_through_its_link(pair, agent):
    survivor, duplicate, token = pair
    services.ticket_merge(ticket=duplicate, into=survivor, agent=agent)
    kept = duplicate.attachments.get()
    assert attachment_for(user=None, key=f"t/{token}", pk=kept.pk) == kept


def test_a_merged_ticket_cannot_be_reopened_or_answered(pair, agent, merchant, english):
    survivor, duplicate, _token = pair
    services.ticket_merge(ticket=duplicate, into=survivor, agent=agent)
    with pytest.raises(ValidationError, match="merged"):
        services.ticket_reopen(ticket=duplicate, actor=merchant)
    with pytest.raises(ValidationError, match="merged"):
        services.ticket_reply(ticket=duplicate, author=merchant, body="还在吗？")
    with pytest.raises(ValidationError, match="merged"):
        services.ticket_status_set(ticket=duplicate, agent=agent, status="open")
    duplicate.refresh_from_db()
    assert duplicate.status == "closed" and not duplicate.messages.filter(body="还在吗？").exists()


def test_agents_can_still_add_internal_notes_to_a_merged_ticket(pair, agent):
    survivor, duplicate, _token = pair
    services.ticket_merge(ticket=duplicate, into=survivor, agent=agent)
    note = services.ticket_note_add(ticket=duplicate, agent=agent, body="已合并，见另一工单")
    assert note.ticket == duplicate and note.is_internal


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


def test_the_migration_gives_conversations_merged_the_old_way_back(pair, agent):
    """Merges before issue 18 moved the duplicate's messages and files into the survivor."""
    from django.apps import apps

    migration = importlib.import_module("tickets.migrations.0008_merged_conversations_return")
    survivor, duplicate, _token = pair
    services.ticket_reply(ticket=duplicate, author=None, body="补充：换了电源也不行")
    survivor_own = set(survivor.messages.values_list("pk", flat=True))
    duplicate_own = set(duplicate.messages.values_list("pk", flat=True))
    TicketMessage.objects.filter(ticket=duplicate).update(ticket=survivor)
    Attachment.objects.filter(ticket=duplicate).update(ticket=survivor)
    Ticket.objects.filter(pk=duplicate.pk).update(merged_into=survivor, status="closed")
    migration.conversations_return(apps, None)
    assert set(duplicate.messages.values_list("pk", flat=True)) == duplicate_own
    assert set(survivor.messages.values_list("pk", flat=True)) == survivor_own
    assert duplicate.attachments.count() == 1 and not survivor.attachments.exists()
