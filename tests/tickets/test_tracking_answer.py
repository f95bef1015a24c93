"""The tracking page opens with what is new (support's answer, marked until seen), and after a resolution the
merchant says in one tap whether it helped; "not solved" reopens the request with the comment."""

import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tickets import services
from tickets.models import Ticket, TicketEvent, TicketFeedback, TicketMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def tracked(make_ticket):
    ticket, token = make_ticket(description="first words")
    return ticket, f"/en/tickets/t/{token}/"


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def _updates(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]


def test_an_unseen_answer_is_marked_new_and_named_in_the_title_once(client, tracked, agent):
    ticket, url = tracked
    services.ticket_agent_reply(ticket=ticket, agent=agent, body="Sign in again from the menu.")

    first = client.get(url)
    assert "Support replied" in _title(first)
    assert 'class="badge-new"' in first.content.decode()

    again = client.get(url)
    assert "Support replied" not in _title(again)
    assert 'class="badge-new"' not in again.content.decode()
    assert "Sign in again from the menu." in again.content.decode()


def test_the_chinese_title_says_support_replied(client, make_ticket, agent):
    ticket, token = make_ticket()
    services.ticket_agent_reply(ticket=ticket, agent=agent, body="请在菜单中重新签到。")
    assert "客服已回复" in _title(client.get(f"/tickets/t/{token}/"))


def test_reloading_a_seen_answer_writes_nothing(client, tracked, agent):
    ticket, url = tracked
    services.ticket_agent_reply(ticket=ticket, agent=agent, body="Try again.")
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(_updates(first.captured_queries)) == 1
    assert _updates(second.captured_queries) == []


def test_a_newer_answer_is_new_again(client, tracked, agent):
    ticket, url = tracked
    with time_machine.travel("2026-05-01 10:00 +0800", tick=False):
        services.ticket_agent_reply(ticket=ticket, agent=agent, body="first answer")
    client.get(url)
    with time_machine.travel("2026-05-01 11:00 +0800", tick=False):
        services.ticket_agent_reply(ticket=ticket, agent=agent, body="second answer")
    body = client.get(url).content.decode()
    assert 'class="badge-new"' in body
    top = body.index('id="answer"')
    assert body.index("second answer") > top
    assert body.index("second answer") < body.index('id="conversation"')


def test_seeing_an_answer_does_not_move_the_ticket_in_the_queue(client, tracked, agent):
    ticket, url = tracked
    services.ticket_agent_reply(ticket=ticket, agent=agent, body="answer")
    before = Ticket.objects.get(pk=ticket.pk).updated_at
    client.get(url)
    after = Ticket.objects.get(pk=ticket.pk)
    assert after.updated_at == before
    assert after.merchant_seen_at is not None


def test_the_reply_box_comes_right_after_the_answer(client, tracked, agent):
    ticket, url = tracked
    services.ticket_agent_reply(ticket=ticket, agent=agent, body="answer")
    body = client.get(url).content.decode()
    assert body.index('id="answer"') < body.index('id="reply"') < body.index('id="conversation"')


def _resolve(ticket, agent):
    services.ticket_agent_reply(ticket=ticket, agent=agent, body="Done: sign in again.")
    services.ticket_status_set(ticket=ticket, agent=agent, status=Ticket.Status.RESOLVED)


def test_a_resolved_ticket_asks_whether_it_helped(client, tracked, agent):
    ticket, url = tracked
    assert "Did this solve your problem?" not in client.get(url).content.decode()
    _resolve(ticket, agent)
    assert "Did this solve your problem?" in client.get(url).content.decode()


def test_solved_records_the_answer_for_the_agent_once(client, tracked, agent):
    ticket, url = tracked
    _resolve(ticket, agent)
    response = client.post(url + "feedback/", {"helped": "yes"}, follow=True)
    assert "glad it is solved" in response.content.decode()
    feedback = TicketFeedback.objects.get()
    assert (feedback.helped, feedback.agent, feedback.ticket) == (True, agent, ticket)
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.FEEDBACK, new_value="solved").exists()
    assert "Did this solve your problem?" not in response.content.decode()
    again = client.post(url + "feedback/", {"helped": "no"}, follow=True)
    assert "already recorded" in again.content.decode()
    assert TicketFeedback.objects.count() == 1
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.RESOLVED


def test_not_solved_reopens_with_the_comment_as_the_merchants_message(client, tracked, agent):
    ticket, url = tracked
    _resolve(ticket, agent)
    client.post(url + "feedback/", {"helped": "no", "comment": "Still says 请重新签到"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    last = ticket.messages.last()
    assert (last.author_role, last.body) == (TicketMessage.Role.MERCHANT, "Still says 请重新签到")
    assert TicketFeedback.objects.get().helped is False


def test_not_solved_without_a_comment_still_says_so(client, tracked, agent):
    ticket, url = tracked
    _resolve(ticket, agent)
    client.post(url + "feedback/", {"helped": "no"})
    assert ticket.messages.last().body  # never an empty message


def test_a_card_number_in_the_comment_is_masked(client, tracked, agent):
    ticket, url = tracked
    _resolve(ticket, agent)
    client.post(url + "feedback/", {"helped": "no", "comment": "card 4111 1111 1111 1111"})
    assert "4111 1111 1111 1111" not in ticket.messages.last().body
    assert "1111 1111 1111 1111" not in TicketFeedback.objects.get().comment


def test_feedback_on_an_open_ticket_is_refused(client, tracked):
    _ticket, url = tracked
    client.post(url + "feedback/", {"helped": "yes"})
    assert TicketFeedback.objects.count() == 0


def test_feedback_is_post_only(client, tracked):
    _ticket, url = tracked
    assert client.get(url + "feedback/").status_code == 405


def test_an_outsider_cannot_give_feedback(client, make_ticket, outsider, agent):
    ticket, _token = make_ticket()
    _resolve(ticket, agent)
    client.force_login(outsider)
    assert client.post(f"/en/tickets/{ticket.reference}/feedback/", {"helped": "no"}).status_code == 404
    assert TicketFeedback.objects.count() == 0


def test_the_signed_in_owner_gives_feedback_by_reference(client, make_ticket, merchant, agent):
    ticket, _token = make_ticket(requester=merchant)
    _resolve(ticket, agent)
    client.force_login(merchant)
    client.post(f"/en/tickets/{ticket.reference}/feedback/", {"helped": "yes"})
    assert TicketEvent.objects.get(kind=TicketEvent.Kind.FEEDBACK).actor == merchant


def test_the_dashboard_shows_answers_per_agent_and_article(client, make_ticket, agent):
    ticket, _token = make_ticket()
    _resolve(ticket, agent)
    services.ticket_feedback_give(ticket=ticket, actor=None, helped=False, comment="no")
    other, _token = make_ticket()
    _resolve(other, agent)
    services.ticket_feedback_give(ticket=other, actor=None, helped=True)
    client.force_login(agent)
    body = client.get(reverse("agents:dashboard")).content.decode()
    section = body[body.index('id="csat"') :]
    assert re.search(r"agent</th><td>1</td><td>1</td><td>50%", section)
