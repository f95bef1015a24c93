"""Webhooks: signed, delivered by the task worker, retried with backoff, logged, and never carrying a note.

A real HTTP server on this machine receives them (a thread); nothing leaves it.
"""

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from api import services
from api.delivery import webhook_attempt as delivery_try
from api.models import WebhookDelivery
from infra import webhooks
from tests.api.conftest import bearer, make_token
from tests.tickets.conftest import form_data
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    def __init__(self):
        self.calls: list[tuple[dict, bytes]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append((dict(self.headers), body))
                self.send_response(receiver.answers.pop(0) if receiver.answers else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[str]:
        return [json.loads(body)["event"] for _headers, body in self.calls]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.server.shutdown()


@pytest.fixture
def hooked(admin_user, receiver):
    return make_token(actor=admin_user, webhook_url=receiver.url)


def _file(client, token) -> str:
    data = form_data()
    data.pop("submission_key")
    return client.post("/api/v1/tickets", data, **bearer(token)).json()["reference"]


def test_filing_sends_a_signed_ticket_created_event(client, hooked, receiver):
    row, token = hooked
    reference = _file(client, token)
    assert receiver.events() == ["ticket.created"]
    headers, body = receiver.calls[0]
    assert json.loads(body)["ticket"]["reference"] == reference
    assert webhooks.verify(secret=row.webhook_secret, body=body, header=headers[webhooks.SIGNATURE_HEADER])
    assert not webhooks.verify(secret="another secret", body=body, header=headers[webhooks.SIGNATURE_HEADER])
    assert not webhooks.verify(secret=row.webhook_secret, body=body + b" ", header=headers[webhooks.SIGNATURE_HEADER])


def test_a_replayed_call_outside_the_window_fails_verification(hooked, receiver):
    row, _token = hooked
    header = webhooks.sign(secret=row.webhook_secret, body=b"{}", timestamp=1_000_000)
    assert webhooks.verify(secret=row.webhook_secret, body=b"{}", header=header, now=1_000_000 + 60)
    assert not webhooks.verify(secret=row.webhook_secret, body=b"{}", header=header, now=1_000_000 + 301)


def test_an_agents_reply_and_a_status_change_follow_but_an_internal_note_never_does(client, hooked, receiver, agent):
    from tickets.services import ticket_agent_reply, ticket_note_add, ticket_status_set

    reference = _file(client, hooked[1])
    ticket = Ticket.objects.get(reference=reference)
    ticket_note_add(ticket=ticket, agent=agent, body="内部：疑似风控")
    ticket_agent_reply(ticket=ticket, agent=agent, body="请在菜单中重新签到。")
    ticket_status_set(ticket=Ticket.objects.get(pk=ticket.pk), agent=agent, status="resolved")
    assert (
        receiver.events()
        == ["ticket.created", "ticket.replied", "ticket.status_changed", "ticket.status_changed"][
            : len(receiver.events())
        ]
    )
    assert "ticket.replied" in receiver.events() and "ticket.status_changed" in receiver.events()
    assert all("疑似风控" not in body.decode() for _headers, body in receiver.calls)
    replied = next(json.loads(b) for _h, b in receiver.calls if json.loads(b)["event"] == "ticket.replied")
    assert replied["message"]["author"] == "agent"


def test_a_failing_receiver_is_tried_again_and_then_logged_as_given_up(client, hooked, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.answers = [500, 503, 500]
    _file(client, hooked[1])
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.attempts == 1
    assert delivery_try(delivery_id=delivery.pk) is None
    assert delivery_try(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 3
    assert delivery.last_status_code == 500
    assert delivery_try(delivery_id=delivery.pk) is False  # given up: nothing more is sent
    assert len(receiver.calls) == 3


def test_a_receiver_that_is_down_is_recorded_not_raised(admin_user, client):
    _row, token = make_token(actor=admin_user, webhook_url="http://127.0.0.1:9/nothing-listens")
    reference = _file(client, token)
    assert Ticket.objects.filter(reference=reference).exists()  # the merchant's ticket is filed anyway
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.last_error


def test_a_delivery_run_twice_is_sent_once(client, hooked, receiver):
    _file(client, hooked[1])
    delivery = WebhookDelivery.objects.get()
    assert delivery_try(delivery_id=delivery.pk) is True
    assert len(receiver.calls) == 1


def test_the_admins_test_event_is_a_signed_logged_delivery(hooked, receiver, admin_user):
    row, _token = hooked
    services.webhook_test_send(actor=admin_user, client=row)
    assert receiver.events() == ["ping"]
    assert WebhookDelivery.objects.get(event="ping").status == WebhookDelivery.Status.SENT


def test_a_status_changed_event_carries_the_new_status(client, hooked, receiver, agent):
    from tickets.services import ticket_status_set

    ticket = Ticket.objects.get(reference=_file(client, hooked[1]))
    ticket_status_set(ticket=ticket, agent=agent, status="resolved")
    changed = [json.loads(body) for _h, body in receiver.calls if json.loads(body)["event"] == "ticket.status_changed"]
    assert [event["ticket"]["status"] for event in changed] == ["resolved"]


def test_the_retry_command_sends_a_failed_delivery_again_once_its_backoff_is_over(client, hooked, receiver, settings):
    import time_machine
    from django.core.management import call_command
    from django.utils import timezone

    settings.WEBHOOK_RETRY_SECONDS = 30
    receiver.answers = [503]
    _file(client, hooked[1])
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.attempts == 1
    call_command("api_webhooks_retry", stdout=io.StringIO())  # not due yet
    assert len(receiver.calls) == 1
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=31)):
        call_command("api_webhooks_retry", stdout=io.StringIO())
    delivery.refresh_from_db()
    assert len(receiver.calls) == 2 and delivery.status == WebhookDelivery.Status.SENT


def test_the_receivers_snippet_in_the_docs_accepts_a_signed_body_and_refuses_a_replay():
    import re
    import time
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    namespace: dict = {}
    exec(re.search(r"```python\n(.*?)```", docs, re.S).group(1), namespace)  # noqa: S102 (our own docs)
    body, now = b'{"event":"ping"}', int(time.time())
    assert namespace["verified"]("s3cret", body, webhooks.sign(secret="s3cret", body=body, timestamp=now))
    assert not namespace["verified"]("s3cret", body, webhooks.sign(secret="s3cret", body=body, timestamp=now - 301))
    assert not namespace["verified"]("s3cret", body + b" ", webhooks.sign(secret="s3cret", body=body, timestamp=now))


def test_no_transaction_is_open_while_the_receiver_answers(client, hooked, receiver, monkeypatch):
    from django.db import connection

    open_during_post = []
    real_post = webhooks.post

    def post(**kwargs):
        open_during_post.append(connection.in_atomic_block)  # on SQLite, the whole site's write lock
        return real_post(**kwargs)

    monkeypatch.setattr(webhooks, "post", post)
    _file(client, hooked[1])
    assert open_during_post == [False] and receiver.events() == ["ticket.created"]


def test_a_second_run_during_a_try_sends_nothing_until_the_try_could_have_ended(client, hooked, receiver, settings):
    import time_machine
    from django.utils import timezone

    from api.delivery import SENDING

    receiver.answers = [503]
    _file(client, hooked[1])
    delivery = WebhookDelivery.objects.get()
    # A worker died mid-try (or is still waiting for the receiver): its claim is on the row.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(last_error=SENDING, last_attempt_at=timezone.now())
    assert delivery_try(delivery_id=delivery.pk) is None and len(receiver.calls) == 1
    later = timezone.now() + timezone.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 61)
    with time_machine.travel(later):
        assert delivery_try(delivery_id=delivery.pk) is True
    assert len(receiver.calls) == 2
