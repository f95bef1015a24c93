"""Migration 0002_console: existing tickets get the workflow's time facts from their history."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tickets", "0001_initial")]
AFTER = [("tickets", "0002_console")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def old_ticket(apps, number: int, status: str):
    Ticket = apps.get_model("tickets", "Ticket")
    return Ticket.objects.create(
        reference=f"POS-2026-{number:06d}",
        access_token_hash=f"h{number}",
        submission_key=f"s{number}",
        status=status,
        contact_name="王芳",
        phone="13800138000",
        merchant_id="102310058120001",
        terminal_id="12345678",
        occurred_at=timezone.now(),
        description="x",
    )


def test_existing_tickets_get_their_first_response_wait_and_resolution_times():
    apps = migrate(BEFORE)
    Message = apps.get_model("tickets", "TicketMessage")
    waiting = old_ticket(apps, 1, "waiting_on_merchant")
    resolved = old_ticket(apps, 2, "resolved")
    legacy = old_ticket(apps, 3, "pending")
    untouched = old_ticket(apps, 4, "new")
    answered = Message.objects.create(ticket=waiting, author_role="agent", body="please sign on")
    Message.objects.filter(pk=answered.pk).update(created_at=timezone.now() - timedelta(hours=2))
    Message.objects.create(ticket=waiting, author_role="agent", body="internal", is_internal=True)
    try:
        apps = migrate(AFTER)
        Ticket = apps.get_model("tickets", "Ticket")
        waiting, resolved = Ticket.objects.get(pk=waiting.pk), Ticket.objects.get(pk=resolved.pk)
        answered.refresh_from_db()
        assert waiting.first_responded_at == answered.created_at
        assert waiting.waiting_since == answered.created_at
        assert resolved.resolved_at == resolved.updated_at and resolved.first_responded_at is None
        assert Ticket.objects.get(pk=legacy.pk).status == "waiting_on_merchant"
        fresh = Ticket.objects.get(pk=untouched.pk)
        assert (fresh.status, fresh.first_responded_at, fresh.waiting_since, fresh.resolved_at) == (
            "new",
            None,
            None,
            None,
        )
    finally:
        migrate(executor_leaf())


def executor_leaf():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
