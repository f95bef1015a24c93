"""Searching inside tickets: reference, identifiers, the merchant's text, screen text and the conversation,
through the knowledge base's pipeline (Traditional characters find Simplified text, full-width finds ASCII)."""

import pytest
from django.urls import reverse

from agents.selectors import search_terms
from tests.agents.conftest import make_ticket
from tickets.services import ticket_agent_reply, ticket_note_add, ticket_reply

pytestmark = pytest.mark.django_db


def _found(client, query: str) -> list[str]:
    response = client.get(reverse("agents:queue"), {"q": query})
    assert response.status_code == 200
    return [ticket.reference for ticket in response.context["page"].object_list]


def test_traditional_characters_find_a_ticket_written_in_simplified(agent_client):
    wanted = make_ticket(description="刷卡时提示请重新签到")
    make_ticket(description="打印机不出纸", screen_text="缺纸")
    assert _found(agent_client, "重新簽到") == [wanted.reference]


def test_words_of_a_chinese_query_may_be_apart_in_the_ticket(agent_client):
    wanted = make_ticket(description="签到以后还是交易失败")
    make_ticket(description="签到成功", screen_text="")
    assert _found(agent_client, "签到失败") == [wanted.reference]


def test_the_reference_finds_its_ticket(agent_client):
    wanted = make_ticket()
    make_ticket()
    assert _found(agent_client, wanted.reference) == [wanted.reference]


def test_a_tid_and_a_mid_find_their_tickets(agent_client):
    by_tid = make_ticket(terminal_id="87654321")
    by_mid = make_ticket(merchant_id="102310058129999")
    assert _found(agent_client, "87654321") == [by_tid.reference]
    assert _found(agent_client, "102310058129999") == [by_mid.reference]


def test_screen_text_is_searched_and_full_width_letters_match(agent_client):
    wanted = make_ticket(screen_text="MAC ERROR 请签到", description="收款失败")
    make_ticket(screen_text="", description="收款失败")
    assert _found(agent_client, "ｍａｃ error") == [wanted.reference]


def test_a_merchant_reply_and_an_agents_messages_are_searched(agent_client, agent):
    replied = make_ticket()
    noted = make_ticket()
    answered = make_ticket()
    ticket_reply(ticket=replied, author=None, body="密码键盘显示锁机")
    ticket_note_add(ticket=noted, agent=agent, body="已联系银行重置主密钥")
    ticket_agent_reply(ticket=answered, agent=agent, body="请更换热敏打印纸")
    assert _found(agent_client, "锁机") == [replied.reference]
    assert _found(agent_client, "主密鑰") == [noted.reference]
    assert _found(agent_client, "热敏打印纸") == [answered.reference]


def test_a_search_with_no_match_shows_no_tickets(agent_client):
    make_ticket()
    assert _found(agent_client, "完全不相关的内容xyz") == []


def test_query_terms_are_normalized_and_cut_into_words():
    assert search_terms("重新簽到") == search_terms("重新签到")
    assert search_terms("  MAC   Error ") == ["mac", "error"]


@pytest.mark.parametrize("query", ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000"])
def test_the_merchants_mobile_number_finds_the_ticket_however_it_is_written(agent_client, query):
    wanted = make_ticket(phone="13800138000")
    make_ticket(phone="13900139000")
    assert _found(agent_client, query) == [wanted.reference]


def test_the_merchants_email_address_finds_the_ticket_in_any_case(agent_client):
    wanted = make_ticket(phone="", email="Wang.Fang@example.com")
    make_ticket(phone="", email="li.lei@example.com")
    assert _found(agent_client, "wang.fang@EXAMPLE.com") == [wanted.reference]


def test_a_serial_number_and_a_transaction_reference_find_their_tickets(agent_client):
    wanted = make_ticket(serial_number="SN-8800-1234", reference_number="123456789012")
    make_ticket(serial_number="SN-7700-0000")
    assert _found(agent_client, "SN-8800-1234") == [wanted.reference]
    assert _found(agent_client, "123456789012") == [wanted.reference]


def test_a_phone_number_and_a_word_together_must_both_match(agent_client):
    wanted = make_ticket(phone="13800138000", description="打印机不出纸")
    make_ticket(phone="13800138000", description="刷卡提示请重新签到")
    assert _found(agent_client, "13800138000 打印机") == [wanted.reference]
