"""A notification outlives a mail outage: tried with backoff for a day, sent exactly once, and when it never
goes through, agents and operators see it and can send it again."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.tasks import default_task_backend
from django.utils import timezone

from tickets import services
from tickets.models import NoticeDelivery, TicketEvent

pytestmark = pytest.mark.django_db
Status = NoticeDelivery.Status


class FlakyBackend(EmailBackend):
    """A mail server that refuses the next `failures` connections, then takes every message."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures:
            FlakyBackend.failures -= 1
            raise ConnectionRefusedError("mail server down")
        return super().send_messages(messages)


@pytest.fixture
def mail_server(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FlakyBackend"}}
    # The queue as the worker sees it: tasks are kept, with the time they may run, and run by `work`.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    FlakyBackend.failures = 0
    return FlakyBackend


@pytest.fixture
def traveller():
    with time_machine.travel(timezone.now(), tick=False) as moving:
        yield moving


@pytest.fixture
def work(traveller, django_capture_on_commit_callbacks):
    """What db_worker does: run each queued task once its time has come (the clock is moved there), each
    committed (the test's own transaction never commits, so its on-commit callbacks are run here)."""

    done = [0]  # tasks already run, across calls: a finished task is not run again

    def run() -> None:
        while done[0] < len(default_task_backend.results):
            result = default_task_backend.results[done[0]]
            done[0] += 1
            if result.task.run_after and result.task.run_after > timezone.now():
                traveller.move_to(result.task.run_after)
            with django_capture_on_commit_callbacks(execute=True):
                result.task.call(*result.args, **result.kwargs)

    return run


@pytest.fixture
def replied(make_ticket, merchant, agent, mail_server, django_capture_on_commit_callbacks, traveller):
    """A reply to a merchant whose notification is queued; returns its delivery row."""
    ticket, _token = make_ticket(requester=merchant, email="wang@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_agent_reply(ticket=ticket, agent=agent, body="请重新签到")
    return NoticeDelivery.objects.get(ticket=ticket, event="agent_reply")


def test_a_notice_refused_a_few_times_is_sent_exactly_once_in_the_end(replied, mail_server, work):
    mail_server.failures = 3
    started = timezone.now()
    work()
    assert [m.to for m in mail.outbox] == [["wang@example.com"]]
    replied.refresh_from_db()
    assert (replied.status, replied.attempts) == (Status.SENT, 4)
    assert timezone.now() - started == timedelta(minutes=1 + 2 + 4)  # the backoff, doubling


def test_a_task_run_again_after_its_notice_was_sent_sends_nothing(replied, work):
    work()
    first = default_task_backend.results[0]
    assert first.task.call(*first.args, **first.kwargs) is False
    assert len(mail.outbox) == 1


def test_a_notice_is_tried_for_a_day_then_marked_undeliverable_for_operators(replied, mail_server, work, caplog):
    mail_server.failures = 10**6
    with caplog.at_level(logging.ERROR):
        work()
    replied.refresh_from_db()
    assert replied.status == Status.UNDELIVERABLE
    assert replied.last_attempt_at - replied.created_at >= timedelta(hours=24)
    assert replied.last_attempt_at - replied.created_at < timedelta(hours=25)
    assert "ConnectionRefusedError" in replied.last_error
    assert mail.outbox == []
    assert any("undeliverable" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)


@pytest.fixture
def undeliverable(replied, mail_server, work):
    mail_server.failures = 10**6
    work()
    mail_server.failures = 0
    replied.refresh_from_db()
    return replied


def test_the_agent_sees_on_the_ticket_that_the_merchant_was_not_notified(undeliverable, client, agent):
    client.force_login(agent)
    page = client.get(f"/en/agent/tickets/{undeliverable.ticket.reference}/")
    text = page.content.decode()
    assert "The merchant was not notified: a reply from support could not be sent to wang@example.com." in text
    assert "ConnectionRefusedError: mail server down" in text
    assert timezone.localtime(undeliverable.last_attempt_at).strftime("%Y-%m-%d %H:%M") in text


def test_undeliverable_notices_are_listed_in_the_admin(undeliverable, admin_client):
    page = admin_client.get("/admin/tickets/noticedelivery/?status__exact=undeliverable")
    assert undeliverable.ticket.reference in page.content.decode()


def test_send_again_from_the_admin_delivers_it_once_and_records_who(
    undeliverable, admin_client, admin_user, work, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/tickets/noticedelivery/", {"action": "send_again", "_selected_action": [undeliverable.pk]}
        )
    work()
    undeliverable.refresh_from_db()
    assert undeliverable.status == Status.SENT
    assert [m.to for m in mail.outbox] == [["wang@example.com"]]
    assert TicketEvent.objects.filter(ticket=undeliverable.ticket, kind="notice", actor=admin_user).exists()
    ticket_page = admin_client.get(f"/en/agent/tickets/{undeliverable.ticket.reference}/")
    assert ticket_page.status_code == 200
    assert "The merchant was not notified" not in ticket_page.content.decode()


def test_only_an_undeliverable_notice_can_be_sent_again(replied, admin_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.notice_retry(delivery=replied, actor=admin_user)


def test_a_receipt_sent_again_to_a_merchant_without_account_carries_a_new_working_link(
    details, mail_server, work, django_capture_on_commit_callbacks, admin_user, client
):
    mail_server.failures = 10**6
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(
            requester=None,
            details=details(email="anon@example.com"),
            submission_key="receipt-again-key-0001-padding",
            files=(),
            tracking_url=lambda token: f"http://127.0.0.1:8000/tickets/t/{token}/",
        )
    work()
    receipt = NoticeDelivery.objects.get(ticket=ticket, event="ticket_receipt")
    assert receipt.status == Status.UNDELIVERABLE and "tracking_url" not in receipt.extra
    mail_server.failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_retry(delivery=receipt, actor=admin_user)
    work()
    [message] = mail.outbox
    link = next(word for word in message.body.split() if "/tickets/t" in word)
    assert client.get(link.replace("http://127.0.0.1:8000", "")).status_code == 200
