"""CSV export of the filtered queue: every matching ticket, streamed, with no messages and nothing a sheet would run."""

import csv
import io

import pytest
from django.urls import reverse

from tests.agents.conftest import bulk_tickets, make_ticket
from tests.tickets.conftest import CARD
from tickets.services import ticket_note_add

pytestmark = pytest.mark.django_db


def _export(client, **params):
    response = client.get(reverse("agents:queue_export"), params)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_export_has_every_ticket_of_the_filters_not_only_one_page(agent_client):
    bulk_tickets(30, priority="urgent")
    make_ticket(priority="low")
    rows = _export(agent_client, priority="urgent", size="25")
    assert rows[0][0] == "受理编号"
    assert len(rows) == 31
    assert {row[2] for row in rows[1:]} == {"紧急"}


def test_the_export_never_holds_an_internal_note_or_a_card_number(agent_client, agent):
    ticket = make_ticket(screen_text=f"卡号 {CARD}")
    ticket_note_add(ticket=ticket, agent=agent, body="内部备注：商户态度很差")
    text = "\n".join(",".join(row) for row in _export(agent_client))
    assert "内部备注" not in text
    assert CARD not in text
    assert ticket.reference in text


def test_a_cell_a_spreadsheet_would_run_as_a_formula_stays_text(agent_client):
    make_ticket(acquirer='=HYPERLINK("http://evil.example")')
    (_header, row) = _export(agent_client)
    assert row[11].startswith("'=")


def test_bad_filters_export_nothing_and_go_back_to_the_queue(agent_client):
    make_ticket()
    response = agent_client.get(reverse("agents:queue_export"), {"status": "bogus"})

    assert (response.status_code, response["Location"]) == (302, f"{reverse('agents:queue')}?status=bogus")
    assert not response.streaming and response.content == b""
    queue = agent_client.get(response["Location"])
    assert [str(message) for message in queue.context["messages"]] == ["导出需要有效的筛选条件。"]
