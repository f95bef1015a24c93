"""The merchant's own ticket page costs a fixed, small number of SQL queries, however long the conversation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.agents.ticketpage import worked_ticket
from tickets.access import TOKEN_PREFIX

pytestmark = pytest.mark.django_db

# Session, user, the ticket, its public messages, their files.
LIMIT = 6


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_owners_page_with_20_messages_and_10_files_needs_at_most_6_queries(
    client, merchant, agent, loaded_kb, django_capture_on_commit_callbacks
):
    ticket = worked_ticket(
        merchant=merchant,
        agent=agent,
        messages=20,
        photos=5,
        logs=5,
        on_commit=django_capture_on_commit_callbacks,
    )
    client.force_login(merchant)
    assert _queries(client, reverse("tickets:detail", kwargs={"key": ticket.reference})) <= LIMIT


def test_the_query_count_does_not_grow_with_the_conversation(
    client, merchant, agent, loaded_kb, django_capture_on_commit_callbacks
):
    def link(**counts) -> str:
        ticket = worked_ticket(merchant=merchant, agent=agent, on_commit=django_capture_on_commit_callbacks, **counts)
        return reverse("tickets:detail", kwargs={"key": TOKEN_PREFIX + ticket.access_token})

    small, large = link(messages=2, photos=1, logs=0), link(messages=20, photos=5, logs=5)
    assert _queries(client, large) == _queries(client, small)
