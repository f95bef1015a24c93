"""Issue 18 (A): a stranger files a ticket under a victim's MID (printed on every receipt); an agent merges it
into the victim's ticket. The stranger's link must show nothing of the victim and write nothing into it."""

import pytest
from django.urls import reverse
from django.utils import translation

from tickets import services
from tickets.models import TicketMessage

from .conftest import photo

VICTIM_TEXT = "受害人描述：昨晚结算失败"
VICTIM_ANSWER = "客服答复：请联系收单行处理"
ATTACKER_TEXT = "攻击者描述：同样提示请重新签到"


@pytest.fixture
def merged(make_ticket, merchant, agent):
    """The victim (the merchant persona, signed up) and an anonymous stranger, merged into the victim's."""
    victim, victim_token = make_ticket(
        requester=merchant, contact_name="受害人", phone="13800138000", description=VICTIM_TEXT, files=[photo()]
    )
    services.ticket_agent_reply(ticket=victim, agent=agent, body=VICTIM_ANSWER, files=[photo("answer.jpg")])
    stranger, stranger_token = make_ticket(
        contact_name="陌生人", phone="13900139000", email="x@example.com", description=ATTACKER_TEXT
    )
    services.ticket_merge(ticket=stranger, into=victim, agent=agent)
    return victim, victim_token, stranger, stranger_token


def url(name: str, token: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(f"tickets:{name}", kwargs={"key": f"t/{token}", **kwargs})


def victim_traces(victim) -> list[str]:
    return [VICTIM_TEXT, VICTIM_ANSWER, "受害人", "13800138000", victim.reference, "screen.jpg", "answer.jpg"]


@pytest.mark.parametrize("page", ["detail", "sent"])
def test_the_strangers_pages_show_their_own_request_and_nothing_of_the_victims(client, merged, page):
    victim, _victim_token, _stranger, token = merged
    body = client.get(url(page, token)).content.decode()
    assert ATTACKER_TEXT in body or page == "sent"
    assert "merged into another request" in body
    for trace in victim_traces(victim):
        assert trace not in body


@pytest.mark.parametrize("view", ["attachment", "thumbnail"])
def test_the_victims_files_are_not_served_through_the_strangers_link(client, merged, view):
    victim, _victim_token, _stranger, token = merged
    for attachment in victim.attachments.all():
        assert client.get(url(view, token, pk=attachment.pk)).status_code == 404


def test_the_stranger_cannot_write_into_either_conversation(client, merged):
    _victim, _victim_token, _stranger, token = merged
    before = TicketMessage.objects.count()
    response = client.post(url("reply", token), {"body": "把你的电话发给我"})
    assert response.status_code == 400
    assert "merged into another one" in response.content.decode()
    assert TicketMessage.objects.count() == before


def test_the_strangers_refused_reply_as_json_holds_nothing_of_the_victim(client, merged):
    victim, _victim_token, _stranger, token = merged
    response = client.post(url("reply", token), {"body": "你好"}, headers={"accept": "application/json"})
    assert response.status_code == 400
    for trace in victim_traces(victim):
        assert trace not in response.content.decode()


def test_the_stranger_cannot_reopen_the_merged_request(client, merged):
    _victim, _victim_token, stranger, token = merged
    client.post(url("reopen", token))
    stranger.refresh_from_db()
    assert stranger.status == "closed" and stranger.merged_into_id is not None


def test_the_victims_link_is_unaffected(client, merged):
    victim, victim_token, _stranger, _token = merged
    body = client.get(url("detail", victim_token)).content.decode()
    assert VICTIM_TEXT in body and VICTIM_ANSWER in body
    assert ATTACKER_TEXT not in body and "陌生人" not in body
    assert client.post(url("reply", victim_token), {"body": "谢谢，已经好了"}).status_code == 302
    assert victim.messages.filter(body="谢谢，已经好了").exists()


def test_the_survivor_is_named_only_to_its_signed_in_owner(client, make_ticket, merchant, agent):
    survivor, _ = make_ticket(requester=merchant)
    duplicate, token = make_ticket(requester=merchant, description=ATTACKER_TEXT)
    services.ticket_merge(ticket=duplicate, into=survivor, agent=agent)
    assert survivor.reference not in client.get(url("detail", token)).content.decode()
    client.force_login(merchant)
    assert survivor.reference in client.get(url("detail", token)).content.decode()


def test_the_agent_sees_the_merge_on_both_tickets(client, merged, agent):
    victim, _victim_token, stranger, _token = merged
    client.force_login(agent)
    with translation.override("en"):
        survivor_page = client.get(reverse("agents:ticket", args=[victim.reference])).content.decode()
        duplicate_page = client.get(reverse("agents:ticket", args=[stranger.reference])).content.decode()
    assert "Merged into this ticket" in survivor_page and stranger.reference in survivor_page
    assert f"This ticket was merged into {victim.reference}" in duplicate_page
    assert ATTACKER_TEXT in duplicate_page
