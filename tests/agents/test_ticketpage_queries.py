"""The agent's ticket page costs a fixed number of SQL queries: none per message, file or event, and the
first view does not classify the ticket (a task did that once the ticket was committed)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.agents.ticketpage import create_ticket, fast_passwords, page_url, worked_ticket  # noqa: F401
from tickets.classify import classify_text
from tickets.models import CannedReply, TicketClassification

LIMIT = 15


@pytest.fixture
def as_agent(client, agent):
    client.force_login(agent)
    # An agent reaches a ticket from the queue: the menus it keeps in the cache until they change (the
    # teams, like the permissions) are there, and the ticket page reads them without a query.
    assert client.get(reverse("agents:queue")).status_code == 200
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


def test_a_ticket_the_task_has_not_reached_yet_is_shown_without_classifying_it_on_the_page(as_agent, loaded_kb):
    # Without the on-commit callbacks the task never ran (as when the worker is behind, or for old tickets).
    ticket = create_ticket()
    response = as_agent.get(page_url(ticket))
    assert response.context["suggestion"] is None
    assert "The suggestion is still being prepared." in response.text or "建议答案还在准备中" in response.text
    assert not TicketClassification.objects.filter(ticket=ticket).exists()  # a GET never writes it


def test_the_agent_can_ask_for_a_suggestion_the_task_has_not_stored(as_agent, loaded_kb):
    ticket = create_ticket()
    response = as_agent.post(page_url(ticket, "agents:ticket_suggestion_compute"))
    assert response.status_code == 302
    stored = TicketClassification.objects.get(ticket=ticket)
    assert stored.article_slug == classify_text(ticket, language=ticket.language).article_slug
    assert as_agent.get(page_url(ticket, "agents:ticket_suggestion_compute")).status_code == 405


def test_a_merchant_reply_classifies_a_ticket_that_has_no_suggestion_yet(
    merchant, loaded_kb, django_capture_on_commit_callbacks
):
    from tickets import services

    ticket = create_ticket(requester=merchant)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(ticket=ticket, author=merchant, body="还是不行")
    assert TicketClassification.objects.get(ticket=ticket).article_slug


def test_the_page_costs_the_same_queries_with_10_and_with_10000_tickets(
    as_agent, agent, colleague, merchant, loaded_kb, django_capture_on_commit_callbacks
):
    from tests.agents.test_ticketpage_bulk import other_tickets

    ticket = worked_ticket(
        merchant=merchant,
        agent=agent,
        colleague=colleague,
        messages=6,
        photos=2,
        logs=1,
        on_commit=django_capture_on_commit_callbacks,
    )
    other_tickets(10, like=ticket)
    few = _queries(as_agent, ticket)
    other_tickets(9_990, like=ticket, start=10)
    many = _queries(as_agent, ticket)
    print(f"\nticket page: {few} queries with 10 other tickets, {many} with 10,000")
    assert few == many <= LIMIT
