"""Two requests at the same moment: one ticket per submission key, never two tickets with one reference."""

import threading

import pytest
from django.db import connections

from tickets import services
from tickets.models import Ticket

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def run_together(target, count: int) -> list:
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def worker(index):
        try:
            barrier.wait()
            results[index] = target(index)
        except Exception as error:  # reported by the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_a_double_click_arriving_at_once_creates_one_ticket(details):
    tickets = run_together(
        lambda _n: services.ticket_create(requester=None, details=details(), submission_key="same-" + "x" * 30), 4
    )
    assert Ticket.objects.count() == 1
    assert len({ticket.pk for ticket in tickets}) == 1


def test_tickets_created_at_once_get_distinct_references(details):
    tickets = run_together(
        lambda n: services.ticket_create(requester=None, details=details(), submission_key=f"key-{n}-" + "x" * 30), 6
    )
    assert len({ticket.reference for ticket in tickets}) == 6


def test_closing_at_once_from_two_tabs_closes_once(details):
    from django.core.exceptions import ValidationError

    ticket = services.ticket_create(requester=None, details=details(), submission_key="close-" + "x" * 30)

    def close(_n):
        try:
            services.ticket_close(ticket=Ticket.objects.get(pk=ticket.pk), actor=None)
        except ValidationError:
            return "refused"
        return "closed"

    assert sorted(run_together(close, 4)) == ["closed", "refused", "refused", "refused"]
    assert ticket.events.filter(kind="status").count() == 1
    assert ticket.messages.filter(author_role="system").count() == 1


def test_replies_at_once_each_record_their_event(details, agent):
    ticket = services.ticket_create(requester=None, details=details(), submission_key="reply-" + "x" * 30)
    run_together(lambda n: services.ticket_agent_reply(ticket=ticket, agent=agent, body=f"answer {n}"), 4)
    assert ticket.events.filter(kind="reply").count() == 4
    # Only the first reply moved the ticket; the others found it already waiting.
    assert ticket.events.filter(kind="status").count() == 1
