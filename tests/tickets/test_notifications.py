"""Who is told what (tickets/notifications.py), after commit only, in the recipient's language, retried."""

import logging
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import reverse

from tickets import replyto, services
from tickets.models import BreachWarning, NoticeDelivery
from tickets.services import timing

pytestmark = pytest.mark.django_db


class DownBackend(BaseEmailBackend):
    """A mail server that refuses every connection."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks of the block (the test's transaction never commits by itself)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def ticket(make_ticket, merchant):
    made, _token = make_ticket(requester=merchant, email="wang@example.com")
    mail.outbox.clear()
    return made


def second_agent(**values):
    user = get_user_model().objects.create_user(username="agent2", email="agent2@example.com", **values)
    user.groups.add(Group.objects.get(name="Support agents"))
    return user


def test_a_public_reply_emails_the_merchant_in_the_tickets_language(ticket, agent, run_commits):
    ticket.language = "en"
    ticket.save()
    with run_commits():
        services.ticket_agent_reply(ticket=ticket, agent=agent, body="Please sign in again.")
    [message] = mail.outbox
    assert message.to == ["wang@example.com"]
    assert "Support replied to your request" in message.subject
    assert "Please sign in again." in message.body
    html = message.alternatives[0].content
    assert "Please sign in again." in html and ticket.reference in html


def test_the_merchants_email_is_chinese_by_default(ticket, agent, run_commits):
    with run_commits():
        services.ticket_agent_reply(ticket=ticket, agent=agent, body="请重新签到。")
    assert "客服已回复" in mail.outbox[0].subject


def test_an_internal_note_sends_no_mail(ticket, agent, run_commits):
    with run_commits():
        services.ticket_note_add(ticket=ticket, agent=agent, body="secret note: merchant seems confused")
    assert mail.outbox == []


def test_no_email_ever_shows_an_internal_note(ticket, agent, run_commits):
    ticket.assignee = agent
    ticket.save()
    with run_commits():
        services.ticket_note_add(ticket=ticket, agent=agent, body="secret note")
        services.ticket_agent_reply(ticket=ticket, agent=agent, body="public answer")
        services.ticket_reply(ticket=ticket, author=None, body="merchant answer")
        services.ticket_status_set(ticket=ticket, agent=agent, status="resolved")
    assert len(mail.outbox) == 3  # the reply, the merchant's answer to the assignee, the resolution
    for message in mail.outbox:
        assert "secret note" not in message.body
        assert "secret note" not in message.alternatives[0].content


def test_nothing_is_sent_when_the_transaction_rolls_back(ticket, agent, run_commits):
    with run_commits(), pytest.raises(RuntimeError), transaction.atomic():
        services.ticket_agent_reply(ticket=ticket, agent=agent, body="never sent")
        raise RuntimeError("the surrounding transaction fails")
    assert mail.outbox == []


def test_nothing_is_enqueued_before_the_commit(ticket, agent, django_capture_on_commit_callbacks):
    with mock.patch("tickets.tasks.notice_deliver") as task:
        enqueue = task.enqueue
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.ticket_agent_reply(ticket=ticket, agent=agent, body="later")
        assert enqueue.call_count == 0
        callbacks[0]()
    assert enqueue.call_count == 1


def test_waiting_on_the_merchant_asks_them_to_reply(ticket, agent, run_commits):
    with run_commits():
        services.ticket_status_set(ticket=ticket, agent=agent, status="waiting_on_merchant")
    assert ticket.reference in mail.outbox[0].subject
    assert "/tickets/" + ticket.reference in mail.outbox[0].body


def test_a_status_that_needs_nothing_from_the_merchant_sends_nothing(ticket, agent, run_commits):
    with run_commits():
        services.ticket_status_set(ticket=ticket, agent=agent, status="open")
    assert mail.outbox == []


def test_a_merchant_without_email_gets_no_mail(make_ticket, agent, run_commits):
    anonymous, _token = make_ticket(email="")
    with run_commits():
        services.ticket_agent_reply(ticket=anonymous, agent=agent, body="answer")
    assert mail.outbox == []


def test_an_anonymous_merchants_mail_carries_a_working_tracking_link(make_ticket, agent, run_commits, client):
    anonymous, token = make_ticket(email="anon@example.com")
    with run_commits():
        services.ticket_agent_reply(ticket=anonymous, agent=agent, body="answer")
    body = mail.outbox[0].body
    assert token not in body
    path = re.search(r"https?://[^/\s]+(/\S*/t/[\w-]+/)", body).group(1)
    assert client.get(path).status_code == 200


def test_every_merchant_mail_carries_the_same_current_link(make_ticket, agent, run_commits):
    anonymous, _token = make_ticket(email="anon@example.com")
    with run_commits():
        services.ticket_agent_reply(ticket=anonymous, agent=agent, body="answer")
        services.ticket_status_set(ticket=anonymous, agent=agent, status="resolved")
    links = [re.search(r"/t/[\w-]+/", m.body).group(0) for m in mail.outbox if m.to == ["anon@example.com"]]
    assert len(links) == 2 and links[0] == links[1]


def test_without_a_reply_mailbox_no_mail_promises_that_replies_are_read(ticket, agent, run_commits, settings):
    settings.INBOUND_REPLY_ADDRESS = ""
    with run_commits():
        services.ticket_agent_reply(ticket=ticket, agent=agent, body="answer")
        services.ticket_status_set(ticket=ticket, agent=agent, status="resolved")
    for message in mail.outbox:
        assert "reply to this email" not in message.body.lower() and "回复这封邮件" not in message.body
        assert message.reply_to == []


def test_with_a_reply_mailbox_merchant_mails_carry_the_ticket_s_reply_address(ticket, agent, run_commits, settings):
    settings.INBOUND_REPLY_ADDRESS = "support@help.example.com"
    with run_commits():
        services.ticket_agent_reply(ticket=ticket, agent=agent, body="answer")
    [message] = mail.outbox
    assert message.reply_to == [replyto.reply_address(ticket.pk)]
    assert message.reply_to[0].startswith(f"support+r{ticket.pk}-")
    assert "回复这封邮件" in message.body
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_the_resolved_mail_says_how_to_reopen(ticket, agent, run_commits):
    with run_commits():
        services.ticket_status_set(ticket=ticket, agent=agent, status="resolved")
    body = mail.outbox[0].body
    assert "重新打开" in body and f"/tickets/{ticket.reference}/" in body


def test_a_new_ticket_tells_every_agent_with_an_email(agent, make_ticket, run_commits):
    other = second_agent()
    get_user_model().objects.create_user(username="mute", email="").groups.add(Group.objects.get(name="Support agents"))
    with run_commits():
        made, _token = make_ticket()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([agent.email, other.email])
    assert all(made.reference in m.subject for m in mail.outbox)
    assert f"/agent/tickets/{made.reference}/" in mail.outbox[0].body


def test_a_new_ticket_routed_to_a_team_tells_only_that_teams_agents(agent, make_ticket, run_commits):
    from tickets.models import RoutingRule
    from tickets.services.routing import routing_rule_save, team_save

    other = second_agent()
    team = team_save(actor=agent, name="拉卡拉组", members=[other])
    routing_rule_save(actor=agent, team=team, field=RoutingRule.Field.ACQUIRER, value="拉卡拉", position=10)
    with run_commits():
        make_ticket(acquirer="拉卡拉支付")
    assert [m.to[0] for m in mail.outbox] == [other.email]

    mail.outbox.clear()
    with run_commits():
        make_ticket(acquirer="银联商务")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([agent.email, other.email])


def test_a_ticket_of_a_team_without_agents_left_tells_every_agent(agent, make_ticket, run_commits):
    from tickets.models import RoutingRule
    from tickets.services.routing import routing_rule_save, team_save

    other = second_agent()
    team = team_save(actor=agent, name="空组", members=[])
    routing_rule_save(actor=agent, team=team, field=RoutingRule.Field.ACQUIRER, value="拉卡拉", position=10)
    with run_commits():
        make_ticket(acquirer="拉卡拉支付")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([agent.email, other.email])


def test_a_merchant_reply_tells_only_the_assignee(ticket, agent, run_commits):
    second_agent()
    services.ticket_assign(ticket=ticket, agent=agent, assignee=agent)
    with run_commits():
        services.ticket_reply(ticket=ticket, author=None, body="我又试了一次")
    [message] = mail.outbox
    assert message.to == [agent.email]
    assert "我又试了一次" in message.body


def test_a_merchant_reply_on_an_unassigned_ticket_tells_nobody(ticket, run_commits):
    with run_commits():
        services.ticket_reply(ticket=ticket, author=None, body="hello?")
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)  # commits for real, so the send runs inside the request, as in production
def test_with_the_immediate_backend_a_failed_send_never_breaks_the_request(ticket, agent, client, settings, caplog):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.DownBackend"}}
    client.force_login(agent)
    ticket_page = reverse("agents:ticket", kwargs={"reference": ticket.reference})

    with caplog.at_level(logging.WARNING):
        response = client.post(f"{ticket_page}reply/", {"body": "answer", "kind": "reply"})

    sent = ticket.messages.get(body="answer", is_internal=False, author=agent)
    assert (response.status_code, response["Location"]) == (302, f"{ticket_page}#message-{sent.pk}")
    assert mail.outbox == []
    # The refused notice is on record, undeliverable (no later try without a worker), with why, and logged.
    [delivery] = NoticeDelivery.objects.filter(ticket=ticket, event="agent_reply")
    assert (delivery.status, delivery.attempts) == (NoticeDelivery.Status.UNDELIVERABLE, 1)
    assert delivery.last_error
    assert any(record.levelname == "ERROR" for record in caplog.records if record.name == "tickets.services.notices")


def test_the_breach_check_warns_once_per_ticket_and_due_time(ticket, agent, run_commits):
    later = ticket.first_response_due + timedelta(minutes=1)
    with run_commits():
        assert timing.tickets_breach_warn(now=later, within=timedelta(minutes=30)) == 1
        assert timing.tickets_breach_warn(now=later, within=timedelta(minutes=30)) == 0
    [message] = [m for m in mail.outbox if m.to == [agent.email]]
    assert ticket.reference in message.subject
    assert BreachWarning.objects.filter(ticket=ticket, target="first_response").count() == 1


def test_the_breach_check_leaves_tickets_far_from_their_due_time_alone(ticket, run_commits):
    with run_commits():
        assert timing.tickets_breach_warn(now=ticket.created_at, within=timedelta(minutes=1)) == 0
    assert mail.outbox == []


def test_the_breach_check_skips_tickets_waiting_on_the_merchant(ticket, agent, run_commits):
    services.ticket_status_set(ticket=ticket, agent=agent, status="waiting_on_merchant")
    assert timing.tickets_breach_warn(now=ticket.resolution_due, within=timedelta(minutes=30)) == 0


def test_the_breach_check_command_runs(ticket, agent):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("tickets_breach_check", "--minutes", str(10**7), stdout=out)
    assert out.getvalue().startswith("2 warning")
