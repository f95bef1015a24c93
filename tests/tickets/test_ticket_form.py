"""The ticket form as the merchant uses it: pre-filling, validation, masking, files kept across errors."""

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tickets.models import Attachment, Deflection, PendingUpload, Ticket

from .conftest import CARD, CARD_MASKED, form_data, log_file, photo

pytestmark = pytest.mark.django_db
NEW = "/en/tickets/new/"


def post(client, url=NEW, **overrides):
    files = overrides.pop("files", {})
    return client.post(url, {**form_data(**overrides), **files})


def test_the_form_is_prefilled_from_an_article_and_a_response_code(client, loaded_kb):
    response = client.get(NEW + "?article=keys-out-of-sync&code=a0")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="A0"' in body
    from kb.models import Article

    titles = Article.objects.filter(slug="keys-out-of-sync").values_list("title", flat=True)
    assert any(title in body for title in titles)
    # The article's own "steps to fix" are offered as suggestions already tried.
    assert "Sign on once" in body


def test_the_form_is_prefilled_from_a_search_without_results(client):
    body = client.get(NEW + "?q=打印机不出纸").content.decode()
    assert "打印机不出纸" in body


def test_the_when_field_has_no_silent_default(client):
    body = client.get(NEW).content.decode()
    assert timezone.localtime().strftime("%Y-%m-%dT%H:") not in body
    choices = re.findall(r'<input type="radio" name="occurred_when" value="(\w+)"[^>]*>', body)
    assert choices == ["just_now", "earlier_today", "another_time"]
    assert "checked" not in "".join(re.findall(r'<input type="radio" name="occurred_when"[^>]*>', body))


def test_sending_without_saying_when_asks_for_it(client):
    response = post(client, occurred_when="", occurred_at="")
    assert response.status_code == 400
    assert "Please choose when it happened" in response.content.decode()
    assert not Ticket.objects.exists()


def test_just_now_stores_the_sending_time_as_the_merchants_estimate(client):
    post(client, occurred_when="just_now", occurred_at="")
    ticket = Ticket.objects.get()
    assert ticket.occurred_when == "just_now"
    assert abs((ticket.occurred_at - timezone.now()).total_seconds()) < 60


def test_earlier_today_keeps_the_time_the_merchant_guessed(client):
    guess = timezone.localtime().replace(hour=0, minute=5)
    post(client, occurred_when="earlier_today", occurred_at=guess.strftime("%Y-%m-%dT%H:%M"))
    ticket = Ticket.objects.get()
    assert (ticket.occurred_when, timezone.localtime(ticket.occurred_at).strftime("%H:%M")) == (
        "earlier_today",
        "00:05",
    )


def test_another_time_needs_the_date_and_time(client):
    response = post(client, occurred_when="another_time", occurred_at="")
    assert response.status_code == 400
    assert "Please enter the date and time it happened." in response.content.decode()


def test_the_agent_sees_when_the_time_is_the_merchants_guess(client, agent):
    post(client, occurred_when="earlier_today", occurred_at="")
    client.force_login(agent)
    body = client.get(reverse("agents:ticket", args=[Ticket.objects.get().reference])).content.decode()
    assert "Earlier today" in body and "estimate" in body


def test_the_search_query_is_its_own_field_not_the_description(client):
    body = client.get(NEW + "?q=签到失败").content.decode()
    assert re.search(r'<textarea name="description"[^>]*>\s*</textarea>', body)
    assert 'name="search_query" value="签到失败"' in body
    assert "签到失败" in body[body.index('id="from-search"') :][:200]


def test_the_error_summary_follows_the_page_order(client):
    body = post(client, description="", contact_name="", merchant_id="", occurred_when="").content.decode()
    summary = body[body.index('id="form-errors"') :]
    order = [
        summary.index(anchor)
        for anchor in (
            'href="#id_description"',
            'href="#id_occurred_when_0"',
            'href="#id_merchant_id"',
            'href="#id_contact_name"',
        )
    ]
    assert order == sorted(order)


def test_the_form_warns_not_to_send_card_data(client):
    body = client.get(NEW).content.decode()
    assert "Never send a full card number, PIN, CVV or expiry date" in body


def test_the_photo_input_lets_the_merchant_choose_a_screenshot_not_only_the_camera(client):
    body = client.get(NEW).content.decode()
    photo_input = re.search(r'<input type="file" name="photos"[^>]*>', body).group(0)
    assert 'accept="image/*"' in photo_input
    assert "capture" not in photo_input  # capture would open the camera with no way to the gallery


def test_a_complete_form_creates_a_ticket_and_shows_its_reference(client):
    response = post(client, files={"photos": [photo()], "logs": [log_file()]})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.phone == "13800138000"
    assert ticket.steps == ["开机", "操作员签到", "刷卡"]
    assert ticket.language == "en"
    assert ticket.attachments.count() == 2
    page = client.get(response["Location"])
    assert ticket.reference in page.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_name", "", "Please enter your name"),
        ("phone", "12345", "not a mainland mobile number"),
        ("phone", "", "mobile phone number or an email address"),
        ("email", "wang@", "This email address is not complete"),
        ("merchant_id", "12345", "A merchant ID (MID) has 15 characters"),
        ("merchant_id", "ABCDE1234567890", "A merchant ID (MID) has 15 characters"),
        ("terminal_id", "1234", "A terminal ID (TID) has 8"),
        ("serial_number", "SN <script>", "serial number may contain only"),
        ("occurred_at", "yesterday", "Enter the date and time like"),
        ("occurred_at", "", "Please enter the date and time"),
        ("response_code", "A0!", "A response code is 2 to 4"),
        ("description", "", "Please describe what happened"),
        ("description", "x" * 4001, "Please shorten the description"),
        ("amount", "abc", "Enter the amount as a number"),
        ("amount", "0", "The amount must be more than 0"),
        ("amount", "12.345", "at most 2 decimal places"),
        ("trace_number", "123", "exactly 6 digits"),
        ("batch_number", "12345a", "exactly 6 digits"),
        ("reference_number", "12345", "12 digits or letters"),
        ("auth_code", "12", "6 digits or letters"),
        ("card_masked", "1234", "Enter the card masked"),
    ],
)
def test_each_bad_input_is_explained_and_nothing_typed_is_lost(client, field, value, message):
    response = post(client, **{field: value, "location": "漕溪北路 1 号 unique-marker"})
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert "unique-marker" in body
    assert not Ticket.objects.exists()


def test_a_time_in_the_future_is_refused(client):
    later = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = post(client, occurred_at=later)
    assert "This time is in the future" in response.content.decode()


def test_a_time_a_few_minutes_ahead_is_accepted_as_clock_skew(client):
    soon = (timezone.localtime() + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    assert post(client, occurred_at=soon).status_code == 302


def test_the_phone_number_accepts_a_country_code_and_separators(client):
    post(client, phone="+86 138-0013-8000")
    assert Ticket.objects.get().phone == "13800138000"


def test_an_email_alone_is_enough_to_reach_the_merchant(client):
    assert post(client, phone="", email="wang@example.com").status_code == 302


def test_the_ids_are_stored_in_upper_case_without_spaces(client):
    post(client, merchant_id="10231 00581 2abcd", terminal_id="ab12 cd34")
    ticket = Ticket.objects.get()
    assert (ticket.merchant_id, ticket.terminal_id) == ("102310058122ABCD"[:11] + "ABCD", "AB12CD34")


def test_transaction_details_are_stored(client):
    post(
        client,
        amount="¥1,280.50",
        trace_number="000123",
        batch_number="000001",
        reference_number="123456789012",
        auth_code="a1b2c3",
        card_masked="622848******1234",
    )
    ticket = Ticket.objects.get()
    assert str(ticket.amount) == "1280.50"
    assert (ticket.trace_number, ticket.reference_number, ticket.auth_code) == ("000123", "123456789012", "A1B2C3")
    assert ticket.card_masked == "622848******1234"


def test_a_full_card_number_in_the_card_field_is_masked_and_the_merchant_told(client):
    response = post(client, card_masked=CARD)
    assert Ticket.objects.get().card_masked == CARD_MASKED
    page = client.get(response["Location"]).content.decode()
    assert "masked" in page


def test_a_full_card_number_is_not_shown_back_when_the_form_has_errors(client):
    response = post(client, description=f"paid with {CARD}", card_masked=CARD, merchant_id="1")
    body = response.content.decode()
    assert CARD not in body
    assert CARD_MASKED in body
    assert "We found a card number in what you wrote and masked it" in body


def test_files_are_kept_when_the_form_comes_back_with_an_error(client):
    response = post(client, merchant_id="1", files={"photos": [photo("screen.jpg")], "logs": [log_file("pos.log")]})
    body = response.content.decode()
    assert "Already attached" in body
    assert "screen.jpg" in body and "pos.log" in body
    assert PendingUpload.objects.count() == 2
    # Fixing the error without choosing the files again sends them with the ticket.
    response = post(client)
    assert response.status_code == 302
    assert sorted(Ticket.objects.get().attachments.values_list("original_name", flat=True)) == [
        "pos.log.txt",
        "screen.jpg",
    ]


def test_a_kept_file_can_be_removed(client):
    post(client, merchant_id="1", files={"logs": [log_file("pos.log")]})
    pending = PendingUpload.objects.get()
    response = post(client, action=f"remove_file:{pending.pk}")
    assert response.status_code == 200
    assert not PendingUpload.objects.exists()
    post(client)
    assert not Attachment.objects.exists()


def test_a_refused_file_is_named_and_the_good_ones_are_kept(client):
    html = log_file("evil.log", "<html><script>alert(1)</script></html>")
    response = post(client, files={"logs": [html, log_file("pos.log")]})
    body = response.content.decode()
    assert response.status_code == 400
    assert "evil.log" in body
    assert not Ticket.objects.exists()
    assert list(PendingUpload.objects.values_list("original_name", flat=True)) == ["pos.log.txt"]


def test_too_many_files_are_refused_with_the_limit(client, settings):
    settings.TICKET_MAX_FILES = 2
    response = post(client, files={"logs": [log_file("a.log"), log_file("b.log"), log_file("c.log")]})
    assert "at most 2 files" in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_step_can_be_added_without_javascript(client):
    response = post(client, action="add_step", steps=["a", "b", "c", "d", "e"])
    assert response.status_code == 200
    assert response.content.decode().count('name="steps"') == 6
    assert not Ticket.objects.exists()


def test_a_step_can_be_moved_up_without_javascript(client):
    response = post(client, action="up:1", steps=["first", "second"])
    body = response.content.decode()
    assert body.index('value="second"') < body.index('value="first"')


def test_a_step_can_be_removed_without_javascript(client):
    response = post(client, action="remove:0", steps=["first", "second"])
    body = response.content.decode()
    assert 'value="first"' not in body and 'value="second"' in body


def test_the_honeypot_field_creates_no_ticket(client):
    response = post(client, website="http://spam.example")
    assert response.status_code == 200
    assert not Ticket.objects.exists()


def test_a_double_click_creates_one_ticket(client):
    first = post(client)
    second = post(client)
    assert Ticket.objects.count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]


def test_a_resubmission_from_another_browser_shows_the_reference_but_not_the_link(client, django_user_model):
    from django.test import Client

    post(client)
    response = post(Client())
    ticket = Ticket.objects.get()
    assert Ticket.objects.count() == 1
    assert ticket.reference in response.content.decode()
    assert "/tickets/t/" not in response.content.decode()


def test_the_upload_script_gets_json_with_the_confirmation_address(client):
    response = client.post(NEW, form_data(), headers={"accept": "application/json"})
    assert response.status_code == 200
    assert response.json()["redirect"].endswith("/sent/")


def test_the_upload_script_gets_json_errors_and_the_form_again(client):
    response = client.post(NEW, form_data(terminal_id="1"), headers={"accept": "application/json"})
    data = json.loads(response.content)
    assert response.status_code == 400
    assert "A terminal ID (TID) has 8" in data["errors"]["terminal_id"][0]
    assert 'id="ticket-form"' in data["html"]


def test_a_receipt_is_emailed_once_the_ticket_is_committed(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        post(client, email="wang@example.com", description=f"card {CARD}")
    assert mail.outbox == []  # nothing is sent for a ticket that might still roll back
    for callback in callbacks:
        callback()
    ticket = Ticket.objects.get()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wang@example.com"]
    assert ticket.reference in message.subject
    assert "/tickets/t/" in message.body
    assert CARD not in message.body and CARD_MASKED not in message.body


def test_the_receipt_is_in_the_language_of_the_form(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/tickets/new/", form_data(email="wang@example.com"))
    assert "已收到" in mail.outbox[0].subject


def test_no_receipt_without_an_email_address(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client)
    assert mail.outbox == []


def test_choosing_this_solved_it_records_a_deflection_instead_of_a_ticket(client, loaded_kb):
    post(client, merchant_id="1", files={"logs": [log_file()]})
    response = client.post(
        "/en/tickets/deflect/",
        {"article": "keys-out-of-sync", "q": "A0", "submission_key": "k" * 32},
    )
    assert response.status_code == 200
    assert "Glad it is solved" in response.content.decode()
    deflection = Deflection.objects.get()
    assert (deflection.article_slug, deflection.language) == ("keys-out-of-sync", "en")
    assert not Ticket.objects.exists()
    assert not PendingUpload.objects.exists()


def test_a_deflection_from_a_suggested_article_link_finds_its_slug(client, loaded_kb):
    client.post("/en/tickets/deflect/", {"url": "/en/articles/keys-out-of-sync/", "description": "A0 error"})
    assert Deflection.objects.get().article_slug == "keys-out-of-sync"


def test_deflecting_needs_a_post(client):
    assert client.get("/en/tickets/deflect/").status_code == 405


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_name", "", "请填写您的姓名"),
        ("phone", "12345", "不是大陆手机号"),
        ("merchant_id", "12345", "商户编号（MID）为 15 位"),
        ("terminal_id", "1234", "终端编号（TID）为 8 位"),
        ("trace_number", "123", "凭证号为 6 位数字"),
        ("card_masked", "1234", "622848******1234"),
    ],
)
def test_error_messages_are_in_chinese_on_the_default_address(client, field, value, message):
    response = post(client, "/tickets/new/", **{field: value})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_refused_file_is_explained_in_chinese(client):
    html = log_file("evil.log", "<html><body>x</body></html>")
    response = post(client, "/tickets/new/", files={"logs": [html]})
    assert "无法接收“evil.log”" in response.content.decode()


def test_a_file_over_the_limit_is_refused_while_it_arrives(client, settings):
    settings.TICKET_MAX_FILE_BYTES = 64 * 1024
    big = SimpleUploadedFile("big.log", b"x" * (300 * 1024))
    response = post(client, files={"logs": [big]})
    body = response.content.decode()
    assert response.status_code == 400
    assert "big.log" in body and "0.3 MB" in body
    assert not PendingUpload.objects.exists()


def test_the_upload_handler_stops_keeping_data_past_the_limit(settings):
    from tickets.uploads import LimitUploadHandler, OversizedUpload

    settings.TICKET_MAX_FILE_BYTES = 1000
    handler = LimitUploadHandler()
    handler.new_file("logs", "big.log", "text/plain", 3000)
    kept = [handler.receive_data_chunk(b"x" * 600, n * 600) for n in range(5)]
    assert kept[0] == b"x" * 600
    assert kept[2:] == [None, None, None]
    complete = handler.file_complete(3000)
    assert isinstance(complete, OversizedUpload)
    assert complete.size == 3000


def test_the_form_still_needs_the_csrf_token(settings):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(NEW, form_data())
    assert response.status_code == 403
    assert not Ticket.objects.exists()
