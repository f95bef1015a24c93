"""The ticket services keep the normalized search text the agents' queue searches."""

import pytest

from tests.agents.conftest import make_ticket
from tickets.search import MAX_LENGTH, search_text_append, search_text_for
from tickets.services import ticket_agent_reply, ticket_reply

pytestmark = pytest.mark.django_db


def test_a_new_ticket_carries_its_normalized_reference_identifiers_and_texts():
    ticket = make_ticket(description="刷卡時提示請重新簽到", screen_text="ＭＡＣ校驗錯")
    ticket.refresh_from_db()
    assert ticket.reference.lower().replace("-", " ") in ticket.search_text
    assert ticket.terminal_id in ticket.search_text
    assert "重新签到" in ticket.search_text
    assert "mac校验错" in ticket.search_text


def test_every_message_is_added_to_the_search_text(agent):
    ticket = make_ticket()
    ticket_reply(ticket=ticket, author=None, body="還是不行")
    ticket_agent_reply(ticket=ticket, agent=agent, body="Please Restart")
    ticket.refresh_from_db()
    assert "还是不行" in ticket.search_text
    assert "please restart" in ticket.search_text


def test_the_search_text_stays_bounded():
    text = search_text_for(reference="POS-2026-000001", values=None)
    for _ in range(50):
        text = search_text_append(text, "签到" * 500)
    assert len(text) == MAX_LENGTH
