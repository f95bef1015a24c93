"""Agent tokens act as their agent does in the console: same rights, same services, same records."""

import json

import pytest

from api.models import ApiClient, Scope
from tests.api.conftest import bearer, make_token
from tests.tickets.conftest import form_data
from tickets.models import Ticket, TicketEvent
from tickets.services import TicketDetails, ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(db):
    data = form_data()
    names = TicketDetails.__dataclass_fields__
    from django.utils import timezone

    values = {k: v for k, v in data.items() if k in names}
    values["occurred_at"] = timezone.now()
    values["amount"] = None
    return ticket_create(requester=None, details=TicketDetails(**values), submission_key="s" * 32)


def _patch(client, token, reference, **body):
    return client.patch(
        f"/api/v1/agent/tickets/{reference}", json.dumps(body), content_type="application/json", **bearer(token)
    )


def test_an_agent_token_lists_and_filters_the_queue(client, agent_token, ticket):
    token = agent_token[1]
    page = client.get("/api/v1/agent/tickets", {"status": "new"}, **bearer(token)).json()
    assert page["count"] == 1 and page["results"][0]["reference"] == ticket.reference
    assert client.get("/api/v1/agent/tickets", {"status": "closed"}, **bearer(token)).json()["count"] == 0


def test_the_queue_filters_take_the_documented_values_once(client, agent_token, ticket):
    from typing import get_args

    from api.views import PriorityName, StatusName

    assert set(get_args(StatusName)) == set(Ticket.Status.values)
    assert set(get_args(PriorityName)) == set(Ticket.Priority.values)
    token = agent_token[1]
    unknown = client.get("/api/v1/agent/tickets", {"priority": "very"}, **bearer(token))
    repeated = client.get("/api/v1/agent/tickets?priority=low&priority=high", **bearer(token))
    assert unknown.status_code == 400 and "priority" in unknown.json()["errors"]
    assert repeated.status_code == 400 and repeated.json()["errors"] == {"priority": ["此参数只能给一次。"]}


def test_changes_go_through_the_services_and_are_recorded_as_the_agent(client, agent_token, agent, ticket):
    answer = _patch(client, agent_token[1], ticket.reference, status="open", priority="high", assignee="agent")
    assert answer.status_code == 200
    assert answer.json() | {} == answer.json() and answer.json()["assignee"] == "agent"
    kinds = set(TicketEvent.objects.filter(ticket=ticket, actor=agent).values_list("kind", flat=True))
    assert {"status", "priority", "assignee"} <= kinds


def test_a_bad_change_changes_nothing(client, agent_token, ticket):
    answer = _patch(client, agent_token[1], ticket.reference, status="open", assignee="nobody-here")
    assert answer.status_code == 400 and "assignee" in answer.json()["errors"]
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_notes_need_the_notes_scope_and_replies_do_not(client, admin_user, agent, ticket):
    _c, token = make_token(actor=admin_user, kind=ApiClient.Kind.AGENT, user=agent, scopes=[Scope.AGENT_TICKETS])
    note = client.post(
        f"/api/v1/agent/tickets/{ticket.reference}/replies",
        {"body": "内部", "internal": True},
        content_type="application/json",
        **bearer(token),
    )
    reply = client.post(
        f"/api/v1/agent/tickets/{ticket.reference}/replies",
        {"body": "请在菜单中签到后重试。"},
        content_type="application/json",
        **bearer(token),
    )
    assert note.status_code == 403 and reply.status_code == 201
    read = client.get(f"/api/v1/agent/tickets/{ticket.reference}", **bearer(token)).json()
    assert all(not message["internal"] for message in read["messages"])


def test_an_agent_who_loses_the_right_loses_the_token(client, agent_token, agent, ticket):
    agent.groups.clear()
    assert client.get("/api/v1/agent/tickets", **bearer(agent_token[1])).status_code == 401


def test_an_integrator_token_cannot_use_the_agent_endpoints(client, integrator, ticket):
    answer = client.get("/api/v1/agent/tickets", **bearer(integrator[1]))
    assert answer.status_code == 403


def test_the_documented_status_and_priority_values_are_the_tickets_own(client):
    from typing import get_args

    from api.schemas import TicketChangeIn
    from tickets.models import Ticket

    def values(name):
        return [v for arg in get_args(TicketChangeIn.model_fields[name].annotation) for v in get_args(arg)]

    assert values("status") == list(Ticket.Status.values)
    assert values("priority") == list(Ticket.Priority.values)
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["TicketChangeIn"]
    assert "waiting_on_merchant" in str(schema["properties"]["status"])
