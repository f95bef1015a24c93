"""A full or read-only media disk: the form comes back filled in (503), nothing half-written stays behind."""

import errno
import logging

import pytest
from django.core.files import File
from django.core.files.storage import FileSystemStorage

from tickets.models import Attachment, PendingUpload, Ticket, TicketMessage

from .conftest import CARD, CARD_MASKED, form_data, photo

pytestmark = pytest.mark.django_db
NEW = "/en/tickets/new/"


class _RefusedWrite(File):
    def chunks(self, chunk_size=None):
        raise OSError(errno.ENOSPC, "No space left on device")


class FullDiskStorage(FileSystemStorage):
    """The media folder of a full disk: the file is created, its first write fails (as the kernel does)."""

    def save(self, name, content, max_length=None):
        return super().save(name, _RefusedWrite(content, name=name), max_length)


@pytest.fixture
def full_disk(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.FullDiskStorage"}}
    return settings.MEDIA_ROOT


def files_in(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_a_new_ticket_on_a_full_disk_keeps_the_form_and_asks_to_try_again(client, full_disk):
    response = client.post(NEW, {**form_data(contact_name="李雷", description="打印机卡纸"), "images": [photo()]})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "We could not save your request just now." in page
    assert "李雷" in page and "打印机卡纸" in page
    assert "attach them again" in page


def test_a_full_disk_leaves_no_file_and_no_ticket(client, full_disk):
    client.post(NEW, {**form_data(), "images": [photo()]})
    assert files_in(full_disk) == []
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists() and not PendingUpload.objects.exists()


def test_a_full_disk_is_logged_for_operators(client, full_disk, caplog):
    with caplog.at_level(logging.ERROR):
        client.post(NEW, {**form_data(), "images": [photo()]})
    assert any("No space left on device" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)


def test_the_kept_form_still_masks_card_numbers(client, full_disk):
    response = client.post(NEW, {**form_data(description=f"card {CARD}"), "images": [photo()]})
    page = response.content.decode()
    assert CARD not in page and CARD_MASKED in page


def test_the_page_is_in_chinese_by_default(client, full_disk):
    response = client.post("/tickets/new/", {**form_data(), "images": [photo()]})
    assert response.status_code == 503
    assert "我们暂时无法保存您的请求" in response.content.decode()


def test_the_upload_script_gets_the_form_back_as_json(client, full_disk):
    response = client.post(NEW, {**form_data(), "images": [photo()]}, headers={"accept": "application/json"})
    assert response.status_code == 503
    assert "We could not save your request just now." in response.json()["html"]


def test_a_reply_on_a_full_disk_keeps_its_text_and_saves_nothing(client, make_ticket, full_disk):
    _ticket, token = make_ticket()
    before = TicketMessage.objects.count()
    response = client.post(f"/en/tickets/t/{token}/reply/", {"body": "又坏了", "files": [photo()]})
    assert response.status_code == 503
    assert "又坏了" in response.content.decode()
    assert TicketMessage.objects.count() == before
    assert files_in(full_disk) == []
