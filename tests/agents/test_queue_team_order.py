"""The team-first order read a page at a time (agents.selectors.TeamFirstRows) shows, page by page, exactly what
sorting every ticket would: the agent's teams' tickets first in the chosen sort, then the rest in the same sort."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from agents.forms import Sort
from tests.agents.conftest import bulk_tickets
from tickets.models import PRIORITY_RANK, Ticket
from tickets.services.routing import team_save

pytestmark = pytest.mark.django_db

SIZE = 25
COUNT = 110  # five pages, the last one short


@pytest.fixture
def spread(agent):
    """Tickets in the agent's two teams, in a team of others and in none, with repeated due, creation and update
    times (so the tie-breaks decide) and some without a due time, shuffled across the pages."""
    mine = [team_save(actor=agent, name=name, members=[agent]) for name in ("拉卡拉组", "银联组")]
    other = team_save(actor=agent, name="深圳组", members=[])
    rng = random.Random(7)
    now = timezone.now()
    for ticket in bulk_tickets(COUNT):
        due = rng.choice([None, *(now + timedelta(hours=hours) for hours in (-3, 1, 1, 6))])
        Ticket.objects.filter(pk=ticket.pk).update(
            team=rng.choice([*mine, other, None, None]),
            assignee=rng.choice([agent, None, None]),
            status=rng.choice([Ticket.Status.NEW, Ticket.Status.OPEN, Ticket.Status.WAITING_ON_MERCHANT]),
            priority=rng.choice(list(PRIORITY_RANK)),
            first_response_due=due,
            created_at=now - timedelta(minutes=rng.choice([5, 10, 10, 30])),
            updated_at=now - timedelta(minutes=rng.choice([1, 2, 2, 7])),
        )
    return {team.pk for team in mine}


def _python_key(sort: str, first_teams: set[int]):
    never = timezone.now()  # any one time: a ticket without a due time is ordered by what follows

    def key(ticket: Ticket) -> tuple:
        due = (ticket.next_due is None, ticket.next_due or never)
        if sort == Sort.AGE:
            order = (ticket.created_at, ticket.pk)
        elif sort == Sort.UPDATED:
            order = (-ticket.updated_at.timestamp(), -ticket.pk)
        elif sort == Sort.PRIORITY:
            order = (ticket.priority_rank, *due, ticket.created_at, ticket.pk)
        else:
            order = (*due, ticket.created_at, ticket.pk)
        return (ticket.team_id not in first_teams, *order)

    return key


def _pages(client, **params) -> list[list[int]]:
    pages, number = [], 1
    while True:
        response = client.get("/agent/", {**params, "size": SIZE, "page": number})
        assert response.status_code == 200
        page = response.context["page"]
        pages.append([row.pk for row in page.object_list])
        if not page.has_next():
            return pages
        number += 1


@pytest.mark.parametrize("sort", [value for value, _label in Sort.CHOICES])
@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({}, lambda ticket: True),
        ({"view": "unassigned"}, lambda t: t.assignee_id is None and t.status in ("new", "open")),
        ({"priority": "high"}, lambda ticket: ticket.priority == "high"),
    ],
    ids=["all", "unassigned", "high priority"],
)
def test_each_page_holds_what_sorting_every_ticket_puts_there(agent_client, spread, sort, params, shown):
    tickets = sorted(filter(shown, Ticket.objects.all()), key=_python_key(sort, spread))
    expected = [ticket.pk for ticket in tickets]
    pages = _pages(agent_client, sort=sort, **params)
    assert pages == [expected[start : start + SIZE] for start in range(0, max(len(expected), 1), SIZE)]


def test_the_fixture_puts_a_page_across_the_end_of_the_teams_tickets(spread):
    # The straddling page (end of the teams' tickets, start of the rest) is the one read in a single query
    # from two lists of ids: the comparisons above must cross it in the plain view.
    in_teams = Ticket.objects.filter(team_id__in=spread).count()
    assert in_teams % SIZE and 0 < in_teams < COUNT - SIZE
