"""Issue 7 on the ticket side: logs in every encoding are masked, markup and scripts are refused by
content, logs are stored as .txt, card numbers are masked or refused in every field, dates have a lower
bound, oversized submissions get the form's own message, view-only staff cannot write, sign-ups are
limited."""

import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets.models import ActorKind, PendingUpload, Ticket, TicketMessage
from tickets.uploads import process_upload

from .conftest import CARD, CARD_MASKED, form_data, gzip_file, log_file, zip_bytes
from .test_uploads import read, refused

pytestmark = pytest.mark.django_db
NEW = "/en/tickets/new/"
LOG = f"10:00:01 SALE PAN={CARD} RESP=A0\n"


# --- Log encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
     ("utf-32-le", b"\xff\xfe\x00\x00"), ("utf-32-be", b"\x00\x00\xfe\xff"), ("gb18030", b"")],
)  # fmt: skip
def test_a_log_is_masked_in_every_encoding_and_stored_as_utf8(encoding, bom, english):
    text = f"签到成功 批次 000001\n{LOG}卡号 4111\u30001111\u30001111\u30001111\n"
    processed = process_upload(SimpleUploadedFile("pos.log", bom + text.encode(encoding)))

    stored = read(processed).decode("utf-8")
    assert "\x00" not in stored
    assert CARD not in stored.replace("\u3000", "")
    assert stored.count(CARD_MASKED) == 2
    assert processed.masked_count == 2


def test_a_utf16_log_without_byte_order_mark_is_refused_rather_than_stored_unmasked(english):
    assert "pos.log" in refused(SimpleUploadedFile("pos.log", LOG.encode("utf-16-le")))


# --- Markup and scripts ---------------------------------------------------------------------------

HOSTILE = {
    "page.html": "<!doctype html><html><body><p>hi</p></body></html>",
    "run.vbs": 'Set shell = CreateObject("WScript.Shell")\nshell.Run "calc"\n',
    "app.js": "function go() { document.cookie = 'x'; }\ngo();\n",
    "arrow.js": "const go = () => { window.location = '/x' };\n",
    "image.svg.log": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
    "run.sh.log": "#!/bin/sh\nrm -rf /\n",
    "run.bat": "@echo off\ndel *.*\n",
    "page.php.txt": "<?php system($_GET['c']); ?>",
    "frame.log": "10:00 ok\n<iframe src=https://evil.example></iframe>\n",
}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32", "gb18030"])
@pytest.mark.parametrize("name", HOSTILE)
def test_markup_and_scripts_are_refused_by_content_in_every_encoding(name, encoding, english):
    message = refused(SimpleUploadedFile(name, HOSTILE[name].encode(encoding)))

    assert name in message
    assert "not a file we can accept" in message or "script" in message


def test_a_script_inside_a_zip_is_refused_by_content(english):
    upload = SimpleUploadedFile("logs.zip", zip_bytes({"pos.log": LOG.encode(), "x.log": HOSTILE["run.vbs"].encode()}))

    assert "x.log" in refused(upload)


def test_an_ordinary_log_with_angle_brackets_and_arrows_is_still_accepted(english):
    text = "10:00 <STX> 0200 -> host\n10:01 <- 0210 RESP=00 amount>0\n"

    assert process_upload(log_file(text=text)).masked_count == 0


@pytest.mark.parametrize(("name", "stored"), [("pos.log", "pos.log.txt"), ("run.txt", "run.txt"), ("pos", "pos.txt")])
def test_logs_are_stored_and_served_with_a_txt_name(name, stored, english):
    processed = process_upload(log_file(name=name, text=LOG))

    assert processed.original_name == stored
    assert processed.extension == "txt"


def test_gzip_and_zip_logs_unpack_to_txt_names(english):
    gz = process_upload(gzip_file(name="terminal.log.gz", data=LOG.encode()))
    zipped = process_upload(SimpleUploadedFile("logs.zip", zip_bytes({"a/pos.log": LOG.encode()})))

    assert gz.original_name == "terminal.log.txt.gz"
    with zipfile.ZipFile(zipped.data) as archive:
        assert archive.namelist() == ["pos.log.txt"]


def test_card_numbers_in_file_and_member_names_are_masked(english):
    upload = SimpleUploadedFile(f"卡{CARD}.zip", zip_bytes({"4111 1111 1111 1111.log": b"10:00 ok\n"}))
    processed = process_upload(upload)

    # File names keep letters, digits, - _ and . only, so the mask's stars go too.
    assert CARD not in processed.original_name and "4111111111.zip" in processed.original_name
    with zipfile.ZipFile(processed.data) as archive:
        assert archive.namelist() == ["4111111111.log.txt"]


# --- The form -------------------------------------------------------------------------------------


def test_a_card_number_typed_as_the_email_is_refused_with_a_message(client):
    response = client.post(NEW, form_data(email=f"{CARD}@qq.com"))

    assert response.status_code == 400
    assert "looks like a card number" in response.content.decode()
    assert not Ticket.objects.exists()


def test_card_numbers_in_hidden_fields_are_masked(client, loaded_kb):
    response = client.post(NEW, form_data(search_query=f"请重新签到 {CARD}", submission_key="k" * 16 + CARD))

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert CARD not in ticket.search_query and CARD_MASKED in ticket.search_query
    assert not PendingUpload.objects.filter(submission_key__contains=CARD).exists()


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "1900-01-01T00:00", "2020-01-01T10:00"])
def test_a_date_long_ago_is_refused_with_a_clear_message(client, value):
    response = client.post(NEW, form_data(occurred_at=value))

    assert response.status_code == 400
    assert "more than a year ago" in response.content.decode()


def test_a_date_long_ago_is_explained_in_chinese(client):
    response = client.post("/tickets/new/", form_data(occurred_at="0001-01-01T00:00"))

    assert response.status_code == 400
    assert "已超过一年" in response.content.decode()


@pytest.mark.parametrize(
    "oversize",
    [{"description": "很长" * 1_600_000}, {"steps": ["步骤"] * 1_500}],
    ids=["3 MB field", "1,500 steps"],
)
def test_an_oversized_submission_gets_the_form_s_own_message(client, oversize):
    response = client.post("/tickets/new/", form_data(**oversize))

    assert response.status_code == 413
    body = response.content.decode()
    assert "一次发送的内容太多" in body and "Bad Request" not in body
    assert not Ticket.objects.exists()


def test_too_many_files_get_the_form_s_own_message_as_json_for_the_script(client):
    files = [SimpleUploadedFile(f"p{n}.log", b"10:00 ok\n") for n in range(150)]
    response = client.post(NEW, {**form_data(), "logs": files}, HTTP_ACCEPT="application/json")

    assert response.status_code == 413
    assert "more than 10 files" in response.json()["error"]


# --- Who may write --------------------------------------------------------------------------------


@pytest.fixture
def viewer(db):
    user = get_user_model().objects.create_user(username="viewer", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_ticket"))
    return user


def test_staff_who_may_only_view_tickets_cannot_reply_or_close_from_the_merchant_pages(client, make_ticket, viewer):
    ticket, _token = make_ticket()
    client.force_login(viewer)
    base = f"/en/tickets/{ticket.reference}/"

    assert client.post(base + "reply/", {"body": "hello"}).status_code == 404
    assert client.post(base + "close/").status_code == 404
    assert not TicketMessage.objects.filter(ticket=ticket, body="hello").exists()
    ticket.refresh_from_db()
    assert ticket.status != Ticket.Status.CLOSED


def test_staff_who_may_only_view_tickets_are_refused_by_the_agent_services(make_ticket, viewer):
    from django.core.exceptions import PermissionDenied

    from tickets import services

    ticket, _token = make_ticket()

    with pytest.raises(PermissionDenied):
        services.ticket_agent_reply(ticket=ticket, agent=viewer, body="hello")
    with pytest.raises(PermissionDenied):
        services.ticket_close(ticket=ticket, actor=viewer, actor_kind=ActorKind.AGENT)
    assert not TicketMessage.objects.filter(ticket=ticket, body="hello").exists()


# --- Sign-ups -------------------------------------------------------------------------------------


def test_sign_ups_are_limited_per_address_with_a_message(client, settings):
    settings.SIGNUP_PER_HOUR = 2
    for n in range(2):
        client.post("/en/tickets/signup/", {"username": f"shop{n}", "password1": "a", "password2": "b"})
    response = client.post(
        "/en/tickets/signup/",
        {
            "username": "shop9",
            "email": "s9@example.com",
            "password1": "Sl0w-Terminal-88",
            "password2": "Sl0w-Terminal-88",
        },
    )

    assert response.status_code == 429
    assert "Too many sign-ups" in response.content.decode()
    assert not get_user_model().objects.filter(username="shop9").exists()
