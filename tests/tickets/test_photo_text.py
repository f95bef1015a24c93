"""Photos attached to a ticket are read by the task worker once the ticket is saved: the text (card numbers
masked) is stored, shown under the photos in the console and found by the queue search; a card number's
boxes are blacked out in the stored photo; a photo that cannot be read never fails the submission."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.ocr_server import text_photo
from tickets.models import Attachment

pytestmark = pytest.mark.django_db


def _photo(lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("screen.jpg", text_photo(lines), content_type="image/jpeg")


def test_a_photo_on_a_new_ticket_is_read_after_it_is_saved(
    make_ticket, loaded_kb, ocr_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _token = make_ticket(files=[_photo(["交易失败", "AO 校验错，请重新签到"])])
    attachment = Attachment.objects.get(ticket=ticket)
    assert "校验错" in attachment.photo_text
    assert attachment.photo_codes == "A0"
    ticket.refresh_from_db()
    assert "校验错" in ticket.search_text


def test_the_queue_search_finds_a_ticket_by_the_text_of_its_photo(
    make_ticket, loaded_kb, ocr_server, django_capture_on_commit_callbacks, client, agent
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _token = make_ticket(description="终端有问题，见照片", files=[_photo(["余额不足", "应答码:51"])])
    client.force_login(agent)
    found = client.get(reverse("agents:queue"), {"q": "余额不足"}).context["page"].object_list
    assert [row.reference for row in found] == [ticket.reference]
    page = client.get(reverse("agents:ticket", kwargs={"reference": ticket.reference})).content.decode()
    assert "余额不足" in page.split('class="photo-text"', 1)[1]


def test_a_card_number_in_an_attached_photo_is_masked_and_blacked_out(
    make_ticket, loaded_kb, ocr_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _token = make_ticket(files=[_photo(["卡号 6222 0212 3456 7890 128", "RESP:51"])])
    attachment = Attachment.objects.get(ticket=ticket)
    assert "7890128" not in attachment.photo_text.replace(" ", "")
    assert attachment.masked_count >= 1
    with default_storage.open(attachment.file, "rb") as stored, Image.open(io.BytesIO(stored.read())) as kept:
        assert kept.convert("L").crop((130, 215, 900, 260)).getextrema()[1] < 40


def test_a_photo_that_cannot_be_read_leaves_the_ticket_as_sent(
    make_ticket, loaded_kb, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.OCR_SOCKET = str(tmp_path / "nobody.sock")
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _token = make_ticket(files=[_photo(["A0"])])
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.photo_text == "" and attachment.photo_read_at is None
