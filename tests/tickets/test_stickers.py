"""Terminal QR stickers: made in the admin (one or a fleet's CSV), printed, scanned, revoked."""

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tickets.models import TerminalSticker
from tickets.services import stickers
from tickets.services.stickers import sticker_create, sticker_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():
    # The services speak the active language; Chinese is the site's default.
    with translation.override("zh-hans"):
        yield


MID, TID = "102310058120001", "12345678"
CSV = "merchant_id,terminal_id,serial_number,terminal_model,model_slug,acquirer\n"


@pytest.fixture(autouse=True)
def chinese():
    """The services' messages are asserted in Chinese, the default, whatever an earlier test left active."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(username="admin", password="admin-pass-123")


@pytest.fixture
def sticker(admin_user):
    return sticker_create(
        actor=admin_user,
        values={"merchant_id": MID, "terminal_id": TID, "terminal_model": "新大陆 ME31", "acquirer": "银联商务"},
    )


def test_a_terminal_gets_one_working_sticker_at_a_time(admin_user, sticker):
    with pytest.raises(Exception, match="已有有效贴纸"):
        sticker_create(actor=admin_user, values={"merchant_id": MID, "terminal_id": TID})
    sticker_revoke(actor=admin_user, sticker=sticker)
    assert sticker_create(actor=admin_user, values={"merchant_id": MID, "terminal_id": TID}).token != sticker.token


def test_a_sticker_is_checked_like_the_ticket_form(admin_user):
    with pytest.raises(Exception, match="15 位"):
        sticker_create(actor=admin_user, values={"merchant_id": "12345", "terminal_id": TID})


def test_a_fleet_in_gbk_as_excel_saves_it_becomes_stickers(admin_user):
    data = (CSV + f"{MID},12345678,N7A01,新大陆 ME31,,银联商务\n{MID},12345679,N7A02,,,\n").encode("gbk")
    result = stickers.stickers_import(actor=admin_user, data=data)
    assert result.errors == [] and len(result.created) == 2
    assert TerminalSticker.objects.get(terminal_id="12345678").acquirer == "银联商务"


def test_a_fleet_with_a_bad_row_makes_nothing_and_names_every_bad_line(admin_user):
    data = (CSV + f"{MID},12345678,,,,\n123,1234,,,,\n{MID},12345678,,,,\n").encode()
    result = stickers.stickers_import(actor=admin_user, data=data)
    assert not TerminalSticker.objects.exists()
    assert any("第 3 行" in error for error in result.errors)
    assert any("第 4 行" in error for error in result.errors)  # listed twice


def test_a_file_without_the_columns_is_refused_with_their_names(admin_user):
    with pytest.raises(Exception, match="terminal_id"):
        stickers.stickers_import(actor=admin_user, data=b"mid,tid\n1,2\n")


def test_the_admin_imports_a_csv_and_shows_a_printable_sheet(client, admin_user):
    client.force_login(admin_user)
    upload = SimpleUploadedFile("fleet.csv", (CSV + f"{MID},12345678,,,,\n{MID},87654321,,,,\n").encode())
    answer = client.post("/admin/tickets/terminalsticker/import/", {"file": upload}, follow=True)
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "TID 12345678" in page and "TID 87654321" in page
    assert "共 2 张贴纸" in page  # the sheet's count line in the admin's language
    token = TerminalSticker.objects.get(terminal_id="12345678").token
    link = f"http://127.0.0.1:8000/s/{token}/"
    assert link in page
    # The code printed is the link printed under it.
    assert segno.make(link, error="m").svg_data_uri(scale=4, border=2) in page


def test_a_sticker_downloads_as_png_and_svg(client, admin_user, sticker):
    client.force_login(admin_user)
    png = client.get(f"/admin/tickets/terminalsticker/{sticker.pk}/qr.png")
    svg = client.get(f"/admin/tickets/terminalsticker/{sticker.pk}/qr.svg")
    assert png.content.startswith(b"\x89PNG") and b"<svg" in svg.content


def test_scanning_opens_the_terminal_page_in_the_phones_language_and_counts(client, sticker):
    zh = client.get(f"/s/{sticker.token}/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    en = client.get(f"/s/{sticker.token}/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert zh["Location"] == f"/tickets/terminal/{sticker.token}/"
    assert en["Location"] == f"/en/tickets/terminal/{sticker.token}/"
    sticker.refresh_from_db()
    assert sticker.scans == 2


def test_the_terminal_page_leads_to_a_form_filled_with_the_terminal(client, sticker):
    page = client.get(f"/tickets/terminal/{sticker.token}/").content.decode()
    assert TID in page
    form = client.get(f"/tickets/new/?terminal={sticker.token}").content.decode()
    assert f'value="{MID}"' in form and f'value="{TID}"' in form and "银联商务" in form


def test_a_revoked_sticker_says_so_and_an_unknown_one_gives_nothing_away(client, admin_user, sticker):
    sticker_revoke(actor=admin_user, sticker=sticker)
    revoked = client.get(f"/s/{sticker.token}/")
    unknown = client.get("/s/notasticker/")
    assert (
        revoked.status_code == 410
        and "withdrawn" in client.get(f"/en/tickets/terminal/{sticker.token}/").content.decode()
    )
    assert unknown.status_code == 404 and MID not in unknown.content.decode()
    form = client.get(f"/tickets/new/?terminal={sticker.token}").content.decode()
    assert f'value="{MID}"' not in form


def test_only_the_signed_in_owner_sees_the_terminals_recent_tickets(client, sticker, merchant, outsider):
    from django.utils import timezone

    from tests.tickets.conftest import form_data
    from tickets.services import TicketDetails, ticket_create

    values = {k: v for k, v in form_data().items() if k in TicketDetails.__dataclass_fields__}
    values |= {"occurred_at": timezone.now(), "amount": None}
    ticket = ticket_create(requester=merchant, details=TicketDetails(**values), submission_key="m" * 32)
    client.force_login(outsider)
    assert ticket.reference not in client.get(f"/tickets/terminal/{sticker.token}/").content.decode()
    client.force_login(merchant)
    assert ticket.reference in client.get(f"/tickets/terminal/{sticker.token}/").content.decode()
    client.logout()
    assert ticket.reference not in client.get(f"/tickets/terminal/{sticker.token}/").content.decode()


def test_a_revoked_stickers_form_is_never_served_from_the_page_cache(client, admin_user, sticker):
    form = f"/tickets/new/?terminal={sticker.token}"
    assert f'value="{MID}"' in client.get(form).content.decode()  # the first anonymous visitor's form
    sticker_revoke(actor=admin_user, sticker=sticker)
    again = client.get(form).content.decode()
    assert f'value="{MID}"' not in again and f'value="{TID}"' not in again


def test_a_revoked_stickers_link_answers_in_the_phones_language(client, admin_user, sticker):
    sticker_revoke(actor=admin_user, sticker=sticker)
    en = client.get(f"/s/{sticker.token}/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    zh = client.get(f"/s/{sticker.token}/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert en.status_code == zh.status_code == 410
    assert "no longer works" in en.content.decode() and "已失效" in zh.content.decode()
    assert 'lang="en"' in en.content.decode()
