"""Replies by email (tickets/services/inbound.py): real-looking messages from the clients merchants use reach
the ticket's conversation without their quoted history; strangers, broken tokens, machines and loops do not."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError

from tests.test_no_card_data import database_texts, stored_texts
from tickets import replyto, services
from tickets.models import InboundMail, Ticket, TicketMessage

pytestmark = pytest.mark.django_db
MAIL = Path(__file__).parent / "mail"
PLACEHOLDER = b"support+{token}@help.example.com"

# fixture file, sender, what the merchant wrote this time, a line of the quoted history
PEOPLE = [
    ("qq_mail_gb18030.eml", "wang@qq.com", "还是不行，重启以后打印机还是提示缺纸。", "请重启终端后再试一次"),
    ("foxmail_gbk.eml", "wang@example.com", "店员小喆说机器一直响", "请告诉我们终端屏幕上的提示"),
    ("outlook_zh_attachment.eml", "wang@outlook.com", "附件是今天的终端日志，请看一下。", "请把终端日志发给我们"),
    ("outlook_en.eml", "wang@hotmail.com", "The terminal shows RC 05 again after the restart.", "Please restart"),
    ("gmail_photo.eml", "wang.lei@gmail.com", "终端屏幕的照片在附件里。", "请拍一张终端屏幕的照片"),
    ("apple_mail_iphone_zh.eml", "wang@icloud.com", "好的，已经换了新纸卷，现在可以打印了。", "请检查打印机的纸卷"),
    ("netease_163_html_only_gbk.eml", "li_shop@163.com", "终端今天又死机了两次", "请告诉我们终端死机的次数"),
]


@pytest.fixture(autouse=True)
def _reply_mailbox(settings):
    settings.INBOUND_REPLY_ADDRESS = "support@help.example.com"


def raw(name: str, ticket: Ticket | None, *, token: str | None = None, replace=()) -> bytes:
    data = (MAIL / name).read_bytes()
    address = token or replyto.reply_address(ticket.pk if ticket else 0)
    data = data.replace(PLACEHOLDER, address.encode())
    for old, new in replace:
        data = data.replace(old, new)
    return data


@pytest.fixture
def waiting(make_ticket, agent):
    def make(email: str) -> Ticket:
        ticket, _token = make_ticket(email=email)
        services.ticket_agent_reply(ticket=ticket, agent=agent, body="请重启终端后再试一次。")
        return Ticket.objects.get(pk=ticket.pk)

    return make


@pytest.mark.parametrize(("name", "sender", "wrote", "history"), PEOPLE, ids=[p[0] for p in PEOPLE])
def test_a_reply_from_each_client_lands_without_its_quoted_history(waiting, name, sender, wrote, history):
    ticket = waiting(sender)

    row = services.inbound_mail_receive(raw=raw(name, ticket))

    assert row.status == InboundMail.Status.ADDED
    message = ticket.messages.order_by("pk").last()
    assert message.author_role == TicketMessage.Role.MERCHANT and not message.is_internal
    assert wrote in message.body
    assert history not in message.body
    assert "原始邮件" not in message.body and "写道" not in message.body and "wrote:" not in message.body
    assert "发自我的iPhone" not in message.body


def test_a_reply_reopens_a_resolved_ticket(waiting, agent):
    ticket = waiting("wang@icloud.com")
    services.ticket_status_set(ticket=ticket, agent=agent, status="resolved")

    services.inbound_mail_receive(raw=raw("apple_mail_iphone_zh.eml", ticket))

    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.OPEN


def test_card_numbers_in_the_text_and_the_files_are_masked(waiting, tmp_path):
    qq = waiting("wang@qq.com")
    outlook = waiting("wang@outlook.com")

    services.inbound_mail_receive(raw=raw("qq_mail_gb18030.eml", qq))
    services.inbound_mail_receive(raw=raw("outlook_zh_attachment.eml", outlook))

    assert "622202*********0128" in qq.messages.order_by("pk").last().body
    [log] = outlook.attachments.all()
    assert log.masked_count == 1
    card = "6222021234567890128"
    assert not [where for where, text in database_texts() if card in text.replace(" ", "")]
    assert not [where for where, text in stored_texts(Path(django_settings.MEDIA_ROOT)) if card in text]


def test_a_photo_is_attached_as_the_form_would(waiting):
    ticket = waiting("wang.lei@gmail.com")

    services.inbound_mail_receive(raw=raw("gmail_photo.eml", ticket))

    [photo] = ticket.attachments.all()
    assert photo.kind == "image" and photo.original_name.startswith("IMG_20261207")


def test_a_refused_file_is_named_and_the_words_still_arrive(waiting):
    ticket = waiting("wang.lei@gmail.com")
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 40
    import base64

    payload = base64.encodebytes(exe)
    data = raw("gmail_photo.eml", ticket).split(b"Content-Type: image/jpeg")[0]
    data += b'Content-Type: application/octet-stream; name="setup.exe"\r\nContent-Disposition: attachment; '
    data += b'filename="setup.exe"\r\nContent-Transfer-Encoding: base64\r\n\r\n' + payload
    data += b"\r\n--000000000000a1b2c3062b1d2e3f--\r\n"

    row = services.inbound_mail_receive(raw=data)

    assert row.status == InboundMail.Status.ADDED
    assert ticket.attachments.count() == 0
    body = ticket.messages.order_by("pk").last().body
    assert "终端屏幕的照片在附件里。" in body and "setup.exe" in body
    assert row.refused_files and "setup.exe" in row.refused_files[0]


def test_the_same_message_read_twice_is_added_once(waiting):
    ticket = waiting("wang@qq.com")
    before = ticket.messages.count()

    first = services.inbound_mail_receive(raw=raw("qq_mail_gb18030.eml", ticket))
    again = services.inbound_mail_receive(raw=raw("qq_mail_gb18030.eml", ticket))

    assert first.pk == again.pk
    assert ticket.messages.count() == before + 1


def test_a_reply_from_another_address_waits_for_an_agent(waiting):
    ticket = waiting("wang@qq.com")
    before = ticket.messages.count()

    row = services.inbound_mail_receive(
        raw=raw("qq_mail_gb18030.eml", ticket, replace=[(b"<wang@qq.com>", b"<stranger@qq.com>")])
    )

    assert (row.status, row.reason, row.ticket) == (InboundMail.Status.UNMATCHED, "other-sender", ticket)
    assert ticket.messages.count() == before


def test_a_broken_token_waits_for_an_agent(waiting):
    ticket = waiting("wang@qq.com")
    address = replyto.reply_address(ticket.pk)
    broken = address[: -len("@help.example.com") - 1] + ("0" if address[-18] != "0" else "1") + "@help.example.com"

    row = services.inbound_mail_receive(raw=raw("qq_mail_gb18030.eml", ticket, token=broken))

    assert (row.status, row.reason, row.ticket) == (InboundMail.Status.UNMATCHED, "bad-token", None)


def test_another_ticket_s_number_with_this_signature_matches_nothing(waiting):
    ticket = waiting("wang@qq.com")
    other = waiting("wang@qq.com")
    forged = replyto.reply_address(ticket.pk).replace(f"+r{ticket.pk}-", f"+r{other.pk}-")

    row = services.inbound_mail_receive(raw=raw("qq_mail_gb18030.eml", ticket, token=forged))

    assert row.status == InboundMail.Status.UNMATCHED and row.ticket is None


def test_the_token_survives_a_mail_system_that_upper_cases_addresses(waiting):
    ticket = waiting("wang@qq.com")

    row = services.inbound_mail_receive(
        raw=raw("qq_mail_gb18030.eml", ticket, token=replyto.reply_address(ticket.pk).upper())
    )

    assert row.status == InboundMail.Status.ADDED


@pytest.mark.parametrize("name", ["auto_reply_out_of_office.eml", "auto_reply_x_autoreply.eml", "bounce_dsn.eml"])
def test_mail_sent_by_a_machine_is_dropped(waiting, name):
    ticket = waiting("wang@example.com")
    before = ticket.messages.count()

    row = services.inbound_mail_receive(raw=raw(name, ticket, replace=[(b"<wang@qq.com>", b"<wang@example.com>")]))

    assert row.status == InboundMail.Status.DROPPED
    assert ticket.messages.count() == before


def test_a_loop_of_replies_stops_at_the_hourly_limit(waiting, settings):
    settings.INBOUND_MAX_PER_HOUR = 3
    ticket = waiting("wang@icloud.com")
    before = ticket.messages.count()

    rows = [
        services.inbound_mail_receive(
            raw=raw("apple_mail_iphone_zh.eml", ticket, replace=[(b"<6A1B2C3D", f"<{n}-6A1B2C3D".encode())])
        )
        for n in range(6)
    ]

    assert [r.status for r in rows].count(InboundMail.Status.ADDED) == 3
    assert {r.reason for r in rows[3:]} == {"too-many"}
    assert ticket.messages.count() == before + 3


def test_mail_from_our_own_address_is_dropped(waiting):
    ticket = waiting("wang@qq.com")
    row = services.inbound_mail_receive(
        raw=raw("qq_mail_gb18030.eml", ticket, replace=[(b"<wang@qq.com>", b"<support@help.example.com>")])
    )
    assert row.status == InboundMail.Status.DROPPED and row.reason == "from-ourselves"


def test_a_reply_to_a_closed_ticket_waits_for_an_agent(waiting, agent):
    ticket = waiting("wang@qq.com")
    services.ticket_close(ticket=ticket, actor=agent)

    row = services.inbound_mail_receive(raw=raw("qq_mail_gb18030.eml", ticket))

    assert row.status == InboundMail.Status.UNMATCHED and row.reason == "closed"


# --- The agents' unmatched list: add or discard -------------------------------------------------


@pytest.fixture
def unmatched(waiting):
    ticket = waiting("wang@outlook.com")
    row = services.inbound_mail_receive(
        raw=raw("outlook_zh_attachment.eml", ticket, replace=[(b"<wang@outlook.com>", b"<boss@shop.cn>")])
    )
    return ticket, row


def test_an_unmatched_mail_keeps_its_checked_files(unmatched):
    _ticket, row = unmatched
    [kept] = row.files.all()
    assert kept.masked_count == 1 and kept.original_name.startswith("终端日志")


def test_an_agent_adds_an_unmatched_mail_to_a_ticket_with_its_files(unmatched, agent):
    ticket, row = unmatched

    message = services.inbound_mail_attach(actor=agent, mail=row, ticket=ticket)

    assert "附件是今天的终端日志" in message.body
    assert message.attachments.count() == 1
    row.refresh_from_db()
    assert (row.status, row.handled_by, row.message) == (InboundMail.Status.ADDED, agent, message)


def test_an_unmatched_mail_is_added_only_once(unmatched, agent):
    ticket, row = unmatched
    services.inbound_mail_attach(actor=agent, mail=row, ticket=ticket)
    with pytest.raises(ValidationError):
        services.inbound_mail_attach(actor=agent, mail=row, ticket=ticket)


def test_an_agent_discards_an_unmatched_mail_and_its_files(unmatched, agent, django_capture_on_commit_callbacks):
    _ticket, row = unmatched
    stored = Path(django_settings.MEDIA_ROOT) / row.files.get().file
    with django_capture_on_commit_callbacks(execute=True):
        services.inbound_mail_discard(actor=agent, mail=row)

    row.refresh_from_db()
    assert row.status == InboundMail.Status.DISCARDED and not row.files.exists()
    assert not stored.exists()


@pytest.mark.parametrize("who", ["merchant", "editor", "outsider"])
def test_only_agents_handle_unmatched_mail(unmatched, request, who):
    ticket, row = unmatched
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.inbound_mail_attach(actor=person, mail=row, ticket=ticket)
    with pytest.raises(PermissionDenied):
        services.inbound_mail_discard(actor=person, mail=row)


def test_the_admin_lists_received_mail_in_chinese(waiting, client):
    from django.contrib.auth import get_user_model

    from tests.admin_text import english_labels

    ticket = waiting("wang@qq.com")
    row = services.inbound_mail_receive(raw=raw("qq_mail_gb18030.eml", ticket))
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "root-pass-123"))
    for url in ("/admin/tickets/inboundmail/", f"/admin/tickets/inboundmail/{row.pk}/change/"):
        html = client.get(url).content.decode()
        assert "wang@qq.com" in html
        assert english_labels(html, data={"wang@qq.com", "root", str(row)}) == [], url


def test_erasing_a_ticket_erases_the_emails_about_it(waiting, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model

    added = waiting("wang@qq.com")
    services.inbound_mail_receive(raw=raw("qq_mail_gb18030.eml", added))
    strange = waiting("wang@outlook.com")
    kept = services.inbound_mail_receive(
        raw=raw("outlook_zh_attachment.eml", strange, replace=[(b"<wang@outlook.com>", b"<boss@shop.cn>")])
    )
    stored = Path(django_settings.MEDIA_ROOT) / kept.files.get().file
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "root-pass-123")

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_erase(actor=admin, ticket=added, reason="request 1")
        services.ticket_erase(actor=admin, ticket=strange, reason="request 2")

    assert not InboundMail.objects.exists()
    assert not stored.exists()


def test_the_cleanup_keeps_the_files_of_unmatched_mail(unmatched):
    from datetime import timedelta

    from django.utils import timezone

    _ticket, row = unmatched
    stored = Path(django_settings.MEDIA_ROOT) / row.files.get().file

    services.tickets_cleanup(now=timezone.now() + timedelta(days=3))

    assert stored.exists()


def test_refused_mail_is_deleted_after_a_month_and_waiting_mail_is_kept(waiting, unmatched):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    ticket = waiting("wang@example.com")
    dropped = services.inbound_mail_receive(raw=raw("auto_reply_out_of_office.eml", ticket))

    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        assert services.inbound_mails_prune() == 1

    assert not InboundMail.objects.filter(pk=dropped.pk).exists()
    assert InboundMail.objects.filter(pk=unmatched[1].pk).exists()


def test_a_reply_address_known_only_from_the_envelope_is_enough(waiting):
    ticket = waiting("wang@qq.com")
    hidden = raw("qq_mail_gb18030.eml", ticket, token="support@help.example.com")

    row = services.inbound_mail_receive(raw=hidden, envelope_to=replyto.reply_address(ticket.pk))

    assert row.status == InboundMail.Status.ADDED
