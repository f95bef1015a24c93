"""The merchant's own ticket page costs a fixed, small number of SQL queries, however long the conversation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.agents.ticketpage import create_ticket
from tests.tickets.conftest import log_file, photo
from tickets import services
from tickets.access import TOKEN_PREFIX

pytestmark = pytest.mark.django_db

# Session, user, the ticket, its public messages, their files.
LIMIT = 6


def _ticket(*, merchant, agent, messages: int, photos: int, logs: int, on_commit):
    with on_commit(execute=True):  # as in production: the classification task runs once the ticket is committed
        ticket = create_ticket(requester=merchant, files=[photo(f"p{n}.jpg") for n in range(photos)])
    if logs:
        services.ticket_reply(
            ticket=ticket, author=merchant, body="补充日志", files=[log_file(f"l{n}.log") for n in range(logs)]
        )
    services.ticket_assign(ticket=ticket, agent=agent, assignee=agent)
    writers = [
        lambda n: services.ticket_agent_reply(ticket=ticket, agent=agent, body=f"回复 {n}"),
        lambda n: services.ticket_note_add(ticket=ticket, agent=agent, body=f"备注 {n}"),  # never shown here
        lambda n: services.ticket_reply(ticket=ticket, author=merchant, body=f"商户 {n}"),
    ]
    for n in range(messages - ticket.messages.count()):
        writers[n % len(writers)](n)
    assert (ticket.messages.count(), ticket.attachments.count()) == (messages, photos + logs)
    return ticket


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_owners_page_with_20_messages_and_10_files_needs_at_most_6_queries(
    client, merchant, agent, loaded_kb, django_capture_on_commit_callbacks
):
    ticket = _ticket(
        merchant=merchant, agent=agent, messages=20, photos=5, logs=5, on_commit=django_capture_on_commit_callbacks
    )
    client.force_login(merchant)
    assert _queries(client, reverse("tickets:detail", kwargs={"key": ticket.reference})) <= LIMIT


def test_the_query_count_does_not_grow_with_the_conversation(
    client, merchant, agent, loaded_kb, django_capture_on_commit_callbacks
):
    def link(**counts) -> str:
        ticket = _ticket(merchant=merchant, agent=agent, on_commit=django_capture_on_commit_callbacks, **counts)
        return reverse("tickets:detail", kwargs={"key": TOKEN_PREFIX + ticket.access_token})

    small, large = link(messages=2, photos=1, logs=0), link(messages=20, photos=5, logs=5)
    assert _queries(client, large) == _queries(client, small)
