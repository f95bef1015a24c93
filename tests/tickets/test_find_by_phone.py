"""'Find my request' by phone: reference (or MID/TID) and mobile number, a 6-digit code by SMS, then one more
tracking link. Codes are hashed, expire in 10 minutes, work once, and are limited per code, per number and
per client address; the page never tells whether a reference exists."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from infra import sms
from tickets.models import FindCode, Ticket

from .conftest import form_data

pytestmark = pytest.mark.django_db
FIND = "/en/tickets/find/"
CODE = "/en/tickets/find/code/"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://help.example.com"


@pytest.fixture
def filed(client):
    """A phone-only ticket; returns it and its receipt's link."""
    response = client.post("/en/tickets/new/", form_data(phone="138 0013 8000", email=""))
    sms.outbox.clear()
    return Ticket.objects.get(), response["Location"].removesuffix("sent/")


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    """Each request's on-commit callbacks run, as in a committed request (the SMS is queued on commit)."""
    global _committing
    _committing = django_capture_on_commit_callbacks
    yield
    _committing = None


_committing = None


def post(merchant: Client, url: str, data: dict, **extra):
    with _committing(execute=True):
        return merchant.post(url, data, **extra)


def ask(merchant: Client, lookup: str, phone: str = "13800138000"):
    return post(merchant, FIND, {"reference": lookup, "contact": phone})


def sent_code() -> str:
    [message] = [m for m in sms.outbox if m.kind == "find_code"]
    return message.params["code"]


def test_the_merchant_gets_a_code_by_sms_and_lands_on_the_ticket(filed):
    ticket, _old = filed
    merchant = Client()
    response = ask(merchant, ticket.reference.lower(), "+86 138-0013-8000")
    assert response["Location"] == CODE
    code = sent_code()
    assert re.fullmatch(r"\d{6}", code)

    landed = post(merchant, CODE, {"code": code}, follow=True)
    assert landed.redirect_chain[-1][0].startswith("/en/tickets/t/")
    assert ticket.reference in landed.content.decode()


def test_the_mid_or_the_tid_finds_the_ticket_too(filed):
    ticket, _old = filed
    for lookup in (ticket.merchant_id, ticket.terminal_id.lower()):
        sms.outbox.clear()
        ask(Client(), lookup)
        assert [m.kind for m in sms.outbox] == ["find_code"]


def test_the_old_link_keeps_working_after_a_find_and_the_new_one_comes_by_sms_too(filed):
    ticket, old = filed
    merchant = Client()
    ask(merchant, ticket.reference)
    post(merchant, CODE, {"code": sent_code()})
    assert Client().get(old).status_code == 200
    [kept] = [m for m in sms.outbox if m.kind == "tracking_link"]
    assert Client().get(kept.params["link"].removeprefix("https://help.example.com"), follow=True).status_code == 200


def _main(response) -> str:
    html = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.split("<main", 1)[1].split("</main>")[0])


def test_the_page_is_the_same_whether_or_not_the_reference_exists(filed):
    ticket, _old = filed
    matched, unknown = Client(), Client()
    assert ask(matched, ticket.reference)["Location"] == ask(unknown, "POS-2026-999999")["Location"] == CODE
    assert _main(matched.get(CODE)) == _main(unknown.get(CODE))
    # Only the matching number gets an SMS; the other code exists all the same, and opens nothing.
    assert [m.to for m in sms.outbox] == ["13800138000"]
    assert FindCode.objects.count() == 2
    wrong = post(unknown, CODE, {"code": sent_code()})
    assert wrong.status_code == 400 and "wrong or has expired" in wrong.content.decode()


def test_a_number_that_is_not_the_ticket_s_gets_no_code(filed):
    ticket, _old = filed
    ask(Client(), ticket.reference, "13900000000")
    assert sms.outbox == []


def test_codes_are_stored_only_as_a_hash(filed):
    ticket, _old = filed
    ask(Client(), ticket.reference)
    row = FindCode.objects.get()
    assert sent_code() not in row.code_hash and len(row.code_hash) == 64


def test_a_code_works_once(filed):
    ticket, _old = filed
    merchant = Client()
    ask(merchant, ticket.reference)
    code = sent_code()
    post(merchant, CODE, {"code": code})
    assert merchant.get(CODE)["Location"] == FIND  # the step is over
    assert FindCode.objects.get().used_at is not None


def test_a_code_expires_after_ten_minutes(filed):
    ticket, _old = filed
    merchant = Client()
    ask(merchant, ticket.reference)
    with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)):
        response = post(merchant, CODE, {"code": sent_code()})
    assert response.status_code == 400 and "expired" in response.content.decode()


def test_wrong_codes_spend_the_code(filed, settings):
    ticket, _old = filed
    merchant = Client()
    ask(merchant, ticket.reference)
    code = sent_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(settings.FIND_CODE_ATTEMPTS):
        post(merchant, CODE, {"code": wrong})
    assert post(merchant, CODE, {"code": code}).status_code == 400


def test_a_malformed_code_is_refused_with_what_a_code_looks_like(filed):
    ticket, _old = filed
    merchant = Client()
    ask(merchant, ticket.reference)
    response = post(merchant, CODE, {"code": "12ab"})
    assert response.status_code == 400 and "6 digits" in response.content.decode()


def test_codes_sent_per_number_are_limited_whoever_asks(filed, settings):
    ticket, _old = filed
    for n in range(settings.FIND_CODES_PER_NUMBER + 2):
        response = ask(Client(REMOTE_ADDR=f"198.51.100.{n}"), ticket.reference)
        assert response["Location"] == CODE  # the same page: it never says whether a code was sent
    assert len(sms.outbox) == settings.FIND_CODES_PER_NUMBER


def test_a_stranger_naming_only_the_number_cannot_spend_its_owner_s_codes(filed, settings):
    ticket, _old = filed
    for n in range(settings.FIND_CODES_PER_NUMBER + 2):
        ask(Client(REMOTE_ADDR=f"198.51.100.{n}"), f"POS-2026-{900000 + n}")
    ask(Client(), ticket.reference)
    assert [m.kind for m in sms.outbox] == ["find_code"]


def test_codes_tried_from_one_address_are_limited(filed):
    statuses = []
    for _ in range(31):
        merchant = Client(REMOTE_ADDR="198.51.100.7")
        session = merchant.session
        session["find_code_id"] = 0
        session.save()
        merchant.cookies["sessionid"] = session.session_key
        statuses.append(post(merchant, CODE, {"code": "000000"}).status_code)
    assert statuses[:30] == [400] * 30 and statuses[30] == 429


def test_the_code_step_without_asking_first_goes_back_to_the_form(client):
    assert client.get(CODE)["Location"] == FIND


def test_a_wrong_number_is_refused_on_the_find_form(filed):
    response = ask(Client(), "POS-2026-000001", "12345")
    assert response.status_code == 400 and "not a mainland mobile number" in response.content.decode()
    assert sms.outbox == []


def test_the_code_sms_is_in_the_ticket_s_language_chinese_by_default_and_within_one_sms(client):
    client.post("/tickets/new/", form_data(phone="13800138000", email=""))
    sms.outbox.clear()
    post(Client(), FIND, {"reference": Ticket.objects.get().reference, "contact": "13800138000"})
    [message] = sms.outbox
    assert "验证码" in message.text and len(message.text) <= sms.SMS_MAX_CHARS


def test_the_find_page_shows_the_support_phone_hours_and_first_reply_target(client, settings):
    settings.SUPPORT_PHONE, settings.SUPPORT_HOURS, settings.SUPPORT_FIRST_REPLY_HOURS = "400-820-0000", "9:00–21:00", 2
    for page in (FIND, "/en/tickets/new/"):
        text = client.get(page).content.decode()
        assert "400-820-0000" in text and "9:00–21:00" in text and "within 2 hours" in text
    assert "2 小时内" in client.get("/tickets/find/").content.decode()


def test_without_support_settings_the_pages_promise_nothing(client):
    assert "support-contact" not in client.get(FIND).content.decode()


def test_the_request_does_the_same_work_whether_or_not_the_reference_exists(filed, settings):
    """The same queries and one queued task either way; the task alone matches and sends (after the response)."""
    from django.db import connection
    from django.tasks import default_task_backend
    from django.test.utils import CaptureQueriesContext

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    ticket, _old = filed
    work = []
    for lookup in (ticket.reference, "POS-2026-999999"):
        with CaptureQueriesContext(connection) as queries:
            ask(Client(), lookup)
        work.append([re.sub(r"\d+|'[^']*'", "?", q["sql"]) for q in queries.captured_queries])
    assert work[0] == work[1]
    assert [r.task.name for r in default_task_backend.results] == ["find_code_send", "find_code_send"]
    assert sms.outbox == []


def test_the_code_step_takes_only_get_and_post(client):
    assert client.put(CODE).status_code == 405
    assert client.post("/t/" + "x" * 20).status_code == 405
