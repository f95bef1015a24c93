"""What an agent does on the ticket page: each action's effect and the event it records."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from kb.models import Article
from tests.agents.ticketpage import create_ticket, fast_passwords, page_url  # noqa: F401 (autouse fixture)
from tickets import services
from tickets.models import TicketEvent


@pytest.fixture
def ticket(merchant):
    return create_ticket(requester=merchant)


@pytest.fixture
def as_agent(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def second_agent(agent):
    user = get_user_model().objects.create_user(username="li", password="li-pass-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Support agents"))
    return user


def _events(ticket, kind):
    return list(ticket.events.filter(kind=kind).values_list("old_value", "new_value"))


def test_a_reply_reaches_the_conversation_and_waits_on_the_merchant(as_agent, ticket, agent):
    response = as_agent.post(page_url(ticket, "agents:ticket_reply"), {"body": "请先做一次POS签到。", "kind": "reply"})
    assert response.status_code == 302
    message = ticket.messages.last()
    assert (message.body, message.is_internal, message.author) == ("请先做一次POS签到。", False, agent)
    ticket.refresh_from_db()
    assert ticket.status == "waiting_on_merchant"
    assert ticket.events.filter(kind=TicketEvent.Kind.REPLY, message=message).exists()


def test_a_note_is_internal_and_changes_no_status(as_agent, ticket):
    as_agent.post(page_url(ticket, "agents:ticket_reply"), {"body": "商户之前也报过", "kind": "note"})
    message = ticket.messages.last()
    assert message.is_internal
    ticket.refresh_from_db()
    assert ticket.status == "new"
    assert ticket.events.filter(kind=TicketEvent.Kind.NOTE, message=message).exists()


def test_an_empty_reply_is_refused_on_the_page(as_agent, ticket):
    response = as_agent.post(page_url(ticket, "agents:ticket_reply"), {"body": " ", "kind": "reply"}, follow=True)
    assert ticket.messages.count() == 1
    assert [str(m) for m in response.context["composer_messages"]]  # said in the composer, where the agent types


def test_assign_to_me(as_agent, ticket, agent):
    as_agent.post(page_url(ticket, "agents:ticket_assign"), {"assignee": "me"})
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assert _events(ticket, TicketEvent.Kind.ASSIGNEE) == [("", str(agent.pk))]


def test_assign_to_another_agent_and_back_to_nobody(as_agent, ticket, second_agent):
    as_agent.post(page_url(ticket, "agents:ticket_assign"), {"assignee": str(second_agent.pk)})
    as_agent.post(page_url(ticket, "agents:ticket_assign"), {"assignee": ""})
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert _events(ticket, TicketEvent.Kind.ASSIGNEE) == [("", str(second_agent.pk)), (str(second_agent.pk), "")]


def test_a_merchant_cannot_be_assigned(as_agent, ticket, merchant):
    as_agent.post(page_url(ticket, "agents:ticket_assign"), {"assignee": str(merchant.pk)})
    ticket.refresh_from_db()
    assert ticket.assignee is None


@pytest.mark.parametrize("status", ["open", "waiting_on_merchant", "resolved", "closed"])
def test_status_changes_are_recorded(as_agent, ticket, status):
    as_agent.post(page_url(ticket, "agents:ticket_status"), {"status": status})
    ticket.refresh_from_db()
    assert ticket.status == status
    assert _events(ticket, TicketEvent.Kind.STATUS) == [("new", status)]


def test_an_unknown_status_changes_nothing(as_agent, ticket):
    as_agent.post(page_url(ticket, "agents:ticket_status"), {"status": "solved"})
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_priority_change_is_recorded(as_agent, ticket):
    as_agent.post(page_url(ticket, "agents:ticket_priority"), {"priority": "urgent"})
    ticket.refresh_from_db()
    assert ticket.priority == "urgent"
    assert _events(ticket, TicketEvent.Kind.PRIORITY) == [("normal", "urgent")]


def test_merge_closes_the_duplicate_and_leads_to_the_survivor(as_agent, merchant):
    survivor = create_ticket(requester=merchant)
    duplicate = create_ticket(requester=merchant, description="又一次提示请重新签到")
    response = as_agent.post(page_url(duplicate, "agents:ticket_merge"), {"into": survivor.reference})
    assert response.url == page_url(survivor)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor and duplicate.status == "closed"
    # Each keeps its own conversation: the duplicate's requester may be someone else (issue 18).
    assert duplicate.messages.filter(body__contains="又一次").exists()
    assert not survivor.messages.filter(body__contains="又一次").exists()
    assert _events(duplicate, TicketEvent.Kind.MERGED) == [("", survivor.reference)]


def test_merge_into_an_unknown_reference_changes_nothing(as_agent, ticket):
    as_agent.post(page_url(ticket, "agents:ticket_merge"), {"into": "POS-2026-999999"})
    ticket.refresh_from_db()
    assert ticket.merged_into is None


def test_the_suggestion_can_be_accepted(as_agent, ticket, agent, loaded_kb):
    as_agent.get(page_url(ticket))
    as_agent.post(page_url(ticket, "agents:ticket_suggestion"), {})
    ticket.classification.refresh_from_db()
    assert ticket.classification.verdict == "accepted"
    assert ticket.classification.reviewed_by == agent
    assert ticket.events.filter(kind=TicketEvent.Kind.CLASSIFIED).exists()


def test_the_suggestion_can_be_corrected(as_agent, ticket, loaded_kb):
    as_agent.post(page_url(ticket, "agents:ticket_suggestion"), {"article_slug": "fix-network", "response_code": "98"})
    ticket.classification.refresh_from_db()
    stored = ticket.classification
    assert (stored.verdict, stored.correct_article_slug, stored.correct_response_code) == (
        "corrected",
        "fix-network",
        "98",
    )


def test_a_correction_to_an_unknown_article_is_refused(as_agent, ticket, loaded_kb):
    as_agent.post(page_url(ticket, "agents:ticket_suggestion"), {"article_slug": "no-such-article"})
    ticket.classification.refresh_from_db()
    assert ticket.classification.verdict == "pending"


def test_an_answer_becomes_a_draft_article_linked_to_the_ticket(as_agent, ticket, agent, loaded_kb):
    reply = services.ticket_agent_reply(ticket=ticket, agent=agent, body="先结算，再做一次POS签到。")
    as_agent.post(page_url(ticket, "agents:ticket_article", message_pk=reply.pk))
    article = Article.objects.get(slug=f"ticket-{ticket.reference.lower()}-{reply.pk}")
    assert article.status == Article.Status.DRAFT
    assert "先结算" in article.body
    assert ticket.reference in article.revisions.get().note
    assert _events(ticket, TicketEvent.Kind.ARTICLE) == [("", article.slug)]


def test_a_merchant_message_cannot_become_an_article(as_agent, ticket, loaded_kb):
    first = ticket.messages.first()
    as_agent.post(page_url(ticket, "agents:ticket_article", message_pk=first.pk))
    assert not Article.objects.filter(slug__startswith="ticket-").exists()


def test_presence_names_the_other_agent_and_whether_they_type(client, as_agent, ticket, second_agent):
    other = client.__class__()
    other.force_login(second_agent)
    other.post(page_url(ticket, "agents:ticket_presence"), {"state": "typing"})
    answer = as_agent.post(page_url(ticket, "agents:ticket_presence"), {"state": "viewing"}).json()
    assert answer == {"others": [{"name": "li", "state": "typing"}]}
    page = as_agent.get(page_url(ticket, "agents:ticket_presence_list")).json()
    assert page == {"others": [{"name": "li", "state": "typing"}]}
    assert other.get(page_url(ticket, "agents:ticket_presence_list")).json()["others"][0]["state"] == "viewing"


def test_the_assign_to_me_button_wins_over_the_menu_sent_with_it(as_agent, ticket, agent, second_agent):
    as_agent.post(page_url(ticket, "agents:ticket_assign"), {"assignee": [str(second_agent.pk), "me"]})
    ticket.refresh_from_db()
    assert ticket.assignee == agent
