"""Helpers for ticket tests: a valid form, generated photos and logs."""

import gzip
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

# A Visa test number that passes the Luhn check; never a real card.
CARD = "4111111111111111"
CARD_MASKED = "411111******1111"


def form_data(**overrides) -> dict:
    data = {
        "contact_name": "王芳",
        "phone": "138 0013 8000",
        "email": "",
        "merchant_id": "102310058120001",
        "terminal_id": "12345678",
        "serial_number": "N7A0012345",
        "terminal_model": "新大陆 ME31",
        "acquirer": "银联商务",
        "occurred_when": "another_time",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "location": "上海市徐汇区漕溪北路 1 号",
        "response_code": "A0",
        "screen_text": "MAC校验错 请重新签到",
        "description": "刷卡收款时提示请重新签到，签到后仍然失败。",
        "steps": ["开机", "操作员签到", "刷卡"],
        "amount": "",
        "trace_number": "",
        "batch_number": "",
        "reference_number": "",
        "auth_code": "",
        "card_masked": "",
        "article_slug": "",
        "search_query": "",
        "submission_key": "k" * 32,
        "website": "",
    }
    data.update(overrides)
    return data


def image_bytes(fmt: str = "JPEG", size=(64, 48), **save) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def photo(name: str = "screen.jpg", fmt: str = "JPEG", **save) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(fmt, **save), content_type="image/jpeg")


def log_file(name: str = "pos.log", text: str = "2026-05-01 10:00:01 SIGN ON OK\n", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/plain")


def pieces(text: str, sizes):
    """text cut into consecutive pieces of the given sizes, as a stream hands it over."""
    at = 0
    for size in sizes:
        if at >= len(text):
            return
        yield text[at : at + size]
        at += size


def gzip_file(name: str = "pos.log.gz", data: bytes = b"2026-05-01 sign on\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, gzip.compress(data), content_type="application/gzip")


def zip_bytes(members: dict[str, bytes], **kwargs) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, **kwargs) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_file(name: str = "logs.zip", members: dict[str, bytes] | None = None) -> SimpleUploadedFile:
    members = members or {"pos.log": b"2026-05-01 sign on\n"}
    return SimpleUploadedFile(name, zip_bytes(members), content_type="application/zip")


@pytest.fixture
def english():
    """Service-level messages in English, whatever language an earlier request left active."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def details():
    from tickets.services import TicketDetails

    def make(**overrides):
        values = {
            "contact_name": "王芳",
            "phone": "13800138000",
            "merchant_id": "102310058120001",
            "terminal_id": "12345678",
            "occurred_at": timezone.now(),
            "description": "刷卡提示请重新签到",
        }
        values.update(overrides)
        return TicketDetails(**values)

    return make


@pytest.fixture
def make_ticket(db, details):
    """Create a ticket through the service; returns (ticket, token)."""
    from tickets import services

    counter = iter(range(1, 10_000))

    def make(*, requester=None, files=(), **overrides):
        ticket = services.ticket_create(
            requester=requester,
            details=details(**overrides),
            submission_key=f"test-key-{next(counter):04d}-padding-xx",
            files=files,
        )
        return ticket, ticket.access_token

    return make
