"""A merchant who gave only a mobile number hears everything an email would say, by SMS, each with a link
that opens the ticket; and an SMS provider that is down is retried by the worker like a mail server."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.tasks import default_task_backend
from django.test import Client
from django.utils import timezone

from infra import sms
from infra.sms import SmsError
from tickets import services
from tickets.models import NoticeDelivery, Ticket

from .conftest import form_data

pytestmark = pytest.mark.django_db
Status = NoticeDelivery.Status


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://help.example.com"
    settings.SMS_SIGN_NAME = "POS服务"


@pytest.fixture
def phone_only(client, django_capture_on_commit_callbacks) -> Ticket:
    """A ticket filed on the form with a phone number and no email (the receipt SMS already sent)."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/tickets/new/", form_data(phone="138 0013 8000", email=""))
    return Ticket.objects.get()


def sms_link(message) -> str:
    link = message.params["link"]
    assert link.startswith("https://help.example.com/t/")
    return link.removeprefix("https://help.example.com")


def test_a_phone_only_merchant_gets_the_receipt_by_sms_with_a_link_that_opens_the_ticket(phone_only):
    [receipt] = sms.outbox
    assert (receipt.to, receipt.kind) == ("13800138000", "ticket_receipt")
    assert len(receipt.text) <= sms.SMS_MAX_CHARS
    page = Client().get(sms_link(receipt), follow=True)
    assert page.status_code == 200
    assert phone_only.reference in page.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("act", "kind"),
    [
        (lambda t, a: services.ticket_agent_reply(ticket=t, agent=a, body="请重新签到"), "agent_reply"),
        (
            lambda t, a: services.ticket_status_set(ticket=t, agent=a, status="waiting_on_merchant"),
            "waiting_on_merchant",
        ),
        (lambda t, a: services.ticket_status_set(ticket=t, agent=a, status="resolved"), "resolved"),
    ],
)
def test_each_merchant_notification_goes_by_sms_with_a_fresh_working_link(
    phone_only, agent, act, kind, django_capture_on_commit_callbacks
):
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        act(phone_only, agent)
    [message] = sms.outbox
    assert message.kind == kind and len(message.text) <= sms.SMS_MAX_CHARS
    assert Client().get(sms_link(message), follow=True).status_code == 200


def test_the_sms_carries_no_message_body(phone_only, agent, django_capture_on_commit_callbacks):
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_agent_reply(ticket=phone_only, agent=agent, body="请重新签到")
    assert "请重新签到" not in sms.outbox[0].text


def test_an_english_ticket_gets_an_english_sms_that_opens_in_english(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/tickets/new/", form_data(phone="13800138000", email=""))
    [receipt] = sms.outbox
    assert "Request received" in receipt.text
    assert Client().get(sms_link(receipt))["Location"].startswith("/en/tickets/t/")


def test_a_merchant_with_an_email_gets_email_not_sms(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/tickets/new/", form_data(phone="13800138000", email="wang@example.com"))
    assert sms.outbox == []
    assert [m.to for m in mail.outbox] == [["wang@example.com"]]


def test_with_sms_off_a_phone_only_ticket_is_still_filed_and_nothing_is_sent(client, settings):
    settings.SMS_BACKEND = ""
    response = client.post("/tickets/new/", form_data(phone="13800138000", email=""))
    assert response.status_code == 302
    assert Ticket.objects.exists()
    assert sms.outbox == [] and not NoticeDelivery.objects.filter(channel="sms").exists()


def test_an_international_number_is_accepted_and_stored_with_its_country_code(client):
    client.post("/tickets/new/", form_data(phone="+852 9123 4567", email=""))
    assert Ticket.objects.get().phone == "+85291234567"


def test_a_wrong_number_is_refused_with_what_a_mobile_number_looks_like(client):
    response = client.post("/en/tickets/new/", form_data(phone="021 6432 1234", email=""))
    assert "is not a mainland mobile number" in response.content.decode()
    assert "+ and the country code" in response.content.decode()
    response = client.post("/tickets/new/", form_data(phone="+852 12", email=""))
    assert "不是完整的国际号码" in response.content.decode()
    assert not Ticket.objects.exists()


# --- The provider is down -------------------------------------------------------------------------


class FlakyProvider:
    failures = 0

    def send(self, message):
        if FlakyProvider.failures:
            FlakyProvider.failures -= 1
            raise SmsError("provider down")
        sms.outbox.append(message)


@pytest.fixture
def worker(settings, django_capture_on_commit_callbacks):
    """A queue as db_worker sees it (tasks kept with their run time) and a clock moved to each task's time."""
    settings.SMS_BACKEND = f"{__name__}.FlakyProvider"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    FlakyProvider.failures = 0
    with time_machine.travel(timezone.now(), tick=False) as clock:
        done = [0]

        def run() -> None:
            while done[0] < len(default_task_backend.results):
                result = default_task_backend.results[done[0]]
                done[0] += 1
                if result.task.run_after and result.task.run_after > timezone.now():
                    clock.move_to(result.task.run_after)
                with django_capture_on_commit_callbacks(execute=True):
                    result.task.call(*result.args, **result.kwargs)

        yield run


@pytest.fixture
def reply_while_down(make_ticket, agent, worker, django_capture_on_commit_callbacks):
    ticket, _token = make_ticket(phone="13800138000", email="")
    worker()  # the receipt
    sms.outbox.clear()
    FlakyProvider.failures = 10**6
    with django_capture_on_commit_callbacks(execute=True):
        message = services.ticket_agent_reply(ticket=ticket, agent=agent, body="请重新签到")
    return ticket, message


def test_the_agents_reply_is_saved_while_the_sms_provider_is_down(reply_while_down):
    ticket, message = reply_while_down
    assert ticket.messages.filter(pk=message.pk, is_internal=False).exists()


def test_an_sms_refused_a_few_times_is_sent_once_in_the_end_with_its_link(reply_while_down, worker):
    FlakyProvider.failures = 2
    worker()
    [message] = sms.outbox
    row = NoticeDelivery.objects.get(event="agent_reply")
    assert (row.channel, row.status, row.attempts) == ("sms", Status.SENT, 3)
    assert Client().get(sms_link(message), follow=True).status_code == 200


def test_an_sms_never_taken_is_shown_to_agents_as_undeliverable(reply_while_down, worker, client, agent, caplog):
    ticket, _message = reply_while_down
    with caplog.at_level(logging.ERROR):
        worker()
    row = NoticeDelivery.objects.get(event="agent_reply")
    assert row.status == Status.UNDELIVERABLE and "provider down" in row.last_error
    assert row.last_attempt_at - row.created_at >= timedelta(hours=24)
    client.force_login(agent)
    page = client.get(f"/en/agent/tickets/{ticket.reference}/").content.decode()
    assert "The merchant was not notified" in page and "13800138000" in page


def test_an_undeliverable_sms_sent_again_carries_a_new_working_link(
    reply_while_down, worker, admin_user, django_capture_on_commit_callbacks
):
    worker()
    row = NoticeDelivery.objects.get(event="agent_reply")
    FlakyProvider.failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_retry(delivery=row, actor=admin_user)
    worker()
    [message] = sms.outbox
    assert Client().get(sms_link(message), follow=True).status_code == 200


def test_the_confirmation_says_the_receipt_went_by_sms(client):
    response = client.post("/en/tickets/new/", form_data(phone="13800138000", email=""), follow=True)
    assert "sent by SMS to your mobile number ending in 8000" in response.content.decode()


# --- A real (stub) provider, killed mid-run ----------------------------------------------------------


@pytest.fixture
def alibaba_stub(settings, worker):
    """The Alibaba Cloud backend (its SDK) against a local stub server that the test stops and starts again."""
    import threading
    from http.server import ThreadingHTTPServer

    from tests.infra.test_sms import Provider

    Provider.seen, Provider.answer = [], {"Code": "OK", "Message": "OK", "BizId": "b1", "RequestId": "r1"}
    settings.SMS_BACKEND = "infra.sms.providers.AlibabaBackend"
    settings.SMS_ENDPOINT_PROTOCOL, settings.SMS_TIMEOUT_SECONDS = "http", 2
    settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = "key-id", "key-secret"
    settings.SMS_TEMPLATES = {kind: f"SMS_{n}" for n, kind in enumerate(("ticket_receipt", "agent_reply"))}

    class Server:
        port = 0
        running = None

        def start(self):
            self.running = ThreadingHTTPServer(("127.0.0.1", self.port), Provider)
            self.port = self.running.server_address[1]
            settings.SMS_ENDPOINT = f"127.0.0.1:{self.port}"
            threading.Thread(target=self.running.serve_forever, daemon=True).start()

        def kill(self):
            self.running.shutdown()
            self.running.server_close()

    server = Server()
    server.start()
    yield server
    server.kill()


def test_with_the_provider_killed_the_reply_is_saved_and_its_sms_arrives_once_it_is_back(
    make_ticket, agent, alibaba_stub, worker, django_capture_on_commit_callbacks
):
    from urllib.parse import parse_qs, urlsplit

    from tests.infra.test_sms import Provider

    ticket, _token = make_ticket(phone="13800138000", email="")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_agent_reply(ticket=ticket, agent=agent, body="请先检查网线")
    worker()
    assert len(Provider.seen) == 1  # sent through the SDK while the provider is up

    alibaba_stub.kill()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_agent_reply(ticket=ticket, agent=agent, body="请重新签到")
    assert ticket.messages.filter(body="请重新签到").exists()
    row = NoticeDelivery.objects.filter(event="agent_reply").order_by("pk").last()
    first = default_task_backend.results[-1]
    with django_capture_on_commit_callbacks(execute=True):
        first.task.call(*first.args, **first.kwargs)  # refused: the provider is gone
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 1) and "SmsError" in row.last_error

    alibaba_stub.start()  # back, on the same address
    worker()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)
    assert len(Provider.seen) == 2
    query = parse_qs(urlsplit(Provider.seen[-1]["path"]).query)
    assert query["TemplateCode"] == ["SMS_1"] and "/t/" in query["TemplateParam"][0]


def test_a_short_link_that_opens_nothing_ends_on_the_not_found_page(client):
    assert client.get("/t/abc").status_code == 404
    response = client.get("/t/" + "x" * 20, follow=True)
    assert response.status_code == 404


def test_the_short_link_never_sends_its_address_on(phone_only):
    response = Client().get(sms_link(sms.outbox[0]))
    assert response.status_code == 302
    assert (response["Referrer-Policy"], response["Cache-Control"]) == ("no-referrer", "no-store, private")


def test_a_number_that_could_be_a_card_number_is_never_stored(client):
    response = client.post("/en/tickets/new/", form_data(phone="+378282246310005", email=""))
    assert "looks like a bank card number" in response.content.decode()
    assert not Ticket.objects.exists()
