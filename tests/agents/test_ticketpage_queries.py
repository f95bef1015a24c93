"""The agent's ticket page costs a fixed number of SQL queries: none per message, file or event, and the
first view does not classify the ticket (a task did that once the ticket was committed)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.agents.ticketpage import create_ticket, fast_passwords, page_url, worked_ticket  # noqa: F401
from tickets.classify import classify_text
from tickets.models import CannedReply, TicketClassification

LIMIT = 15


@pytest.fixture
def as_agent(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture(autouse=True)
def canned_reply(db):
    # Rendered for the ticket on every view: one query for all of them, whatever they link to.
    return CannedReply.objects.create(title="A", language="zh-hans", body="{article:re-sign-in-prompt}")


def _queries(client, ticket) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page_url(ticket))
    assert response.status_code == 200
    return len(captured)


def test_the_first_view_of_a_ticket_with_20_messages_and_10_files_needs_at_most_15_queries(
    as_agent, agent, colleague, merchant, loaded_kb, django_capture_on_commit_callbacks
):
    ticket = worked_ticket(
        merchant=merchant,
        agent=agent,
        colleague=colleague,
        messages=20,
        photos=5,
        logs=5,
        on_commit=django_capture_on_commit_callbacks,
    )
    with CaptureQueriesContext(connection) as captured:
        response = as_agent.get(page_url(ticket))
    assert response.status_code == 200
    assert len(captured) <= LIMIT, "\n".join(query["sql"][:150] for query in captured)
    assert response.context["suggestion"].article_slug  # shown, and computed before the page was asked


def test_the_query_count_does_not_grow_with_messages_files_and_events(
    as_agent, agent, colleague, merchant, loaded_kb, django_capture_on_commit_callbacks
):
    def ticket(**counts):
        return worked_ticket(
            merchant=merchant, agent=agent, colleague=colleague, on_commit=django_capture_on_commit_callbacks, **counts
        )

    small = _queries(as_agent, ticket(messages=2, photos=1, logs=0))
    large = _queries(as_agent, ticket(messages=20, photos=5, logs=5))
    assert large == small


def test_a_new_ticket_is_classified_once_it_is_committed(loaded_kb, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        ticket = create_ticket()
        # Inside the transaction nothing is classified yet: a rolled-back ticket leaves no task behind.
        assert not TicketClassification.objects.filter(ticket=ticket).exists()
    for callback in callbacks:
        callback()
    stored = TicketClassification.objects.get(ticket=ticket)
    expected = classify_text(ticket, language=ticket.language)
    assert (stored.article_slug, stored.response_code) == (expected.article_slug, "A0")
    assert stored.article_slug


def test_a_ticket_the_task_has_not_reached_yet_still_shows_its_suggestion(as_agent, loaded_kb):
    # Without the on-commit callbacks the task never ran (as when the worker is behind, or for old tickets).
    ticket = create_ticket()
    assert not TicketClassification.objects.filter(ticket=ticket).exists()
    response = as_agent.get(page_url(ticket))
    assert response.context["suggestion"].article_slug == classify_text(ticket, language=ticket.language).article_slug
    assert TicketClassification.objects.filter(ticket=ticket).count() == 1
