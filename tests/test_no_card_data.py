"""The portal's promise, checked end to end: after a merchant sends card numbers in every way people
write them — in every field of the ticket form, its steps and hidden fields, a reply, file names, archive
member names and logs in every encoding, and searches by page, API and POST — no table and no stored
file holds one in full, and neither do the emails sent or the log lines written."""

import gzip
import io
import unicodedata
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from tests.tickets.conftest import form_data, image_bytes, zip_bytes
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

# Luhn-valid test numbers of several schemes and lengths; none is a real card.
CARDS = ["4111111111111111", "5500000000000004", "6221558812340000017", "378282246310005", "6011000990139424"]
SEPARATORS = [" ", "\u3000", "\u00a0", "-", "\uff0d", "\u2013", ".", "  ", "\t", "\n", "\u200b"]


def writings(card: str) -> list[str]:
    """The card in one piece, full-width, glued to other digits and grouped by fours with each separator."""
    groups = [card[i : i + 4] for i in range(0, len(card), 4)]
    full_width = "".join(chr(0xFF10 + int(d)) for d in card)
    return [card, full_width, "00" + card + "9", *(sep.join(groups) for sep in SEPARATORS)]


ALL_WRITINGS = [w for card in CARDS for w in writings(card)]


def text_with_cards(offset: int = 0, count: int = 4) -> str:
    picked = [ALL_WRITINGS[(offset + n) % len(ALL_WRITINGS)] for n in range(count)]
    return "卡号 " + "，还有 ".join(picked) + " 请重新签到"


def digit_runs(text: str) -> list[str]:
    """Digit sequences as a reader sees them: any decimal digit counts, separators and invisible
    characters between digits are skipped, anything else ends the run."""
    runs, current = [], []
    for char in text:
        value = unicodedata.decimal(char, None)
        if value is not None:
            current.append(str(value))
        elif char.isspace() or unicodedata.category(char) in ("Pd", "Cf") or char in ".．·":
            continue
        else:
            if current:
                runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def leaked(text: str) -> list[str]:
    return [card for card in CARDS for run in digit_runs(text) if card in run]


def database_texts():
    for model in apps.get_models():
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not names:
            continue
        for row in model.objects.values_list(*names):
            for value in row:
                if value:
                    yield f"{model._meta.label}", str(value)


def stored_texts(root: Path):
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        yield str(path), path.name
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    yield f"{path}:{member}", member + "\n" + archive.read(member).decode("utf-8", "replace")
            continue
        yield str(path), data.decode("utf-8", "replace")


def log_upload(name: str, text: str, encoding: str, bom: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, bom + text.encode(encoding), content_type="text/plain")


def uploads() -> dict[str, list]:
    log_text = "\n".join(f"10:00:{n:02d} PAN={w} RESP=A0" for n, w in enumerate(ALL_WRITINGS)) + "\n"
    return {
        "logs": [
            log_upload(f"pos-{CARDS[0]}.log", log_text, "utf-8"),
            log_upload("pos-utf16.log", log_text, "utf-16-le", b"\xff\xfe"),
            log_upload("pos-utf32.log", log_text, "utf-32-le", b"\xff\xfe\x00\x00"),
            log_upload("pos-utf32be.log", log_text, "utf-32-be", b"\x00\x00\xfe\xff"),
            log_upload("pos-gb.log", "签到 " + log_text, "gb18030"),
            SimpleUploadedFile(f"{CARDS[1]}.log.gz", gzip.compress(log_text.encode()), content_type="application/gzip"),
            SimpleUploadedFile(
                "logs.zip",
                zip_bytes(
                    {f"a/{CARDS[2]}.log": log_text.encode(), "b/6011 0009 9013 9424.log": log_text.encode("utf-16")}
                ),
                content_type="application/zip",
            ),
        ],
        "photos": [SimpleUploadedFile(f"屏幕{CARDS[3]}.jpg", image_bytes(), content_type="image/jpeg")],
    }


def test_no_card_number_is_stored_or_sent_anywhere(client, loaded_kb, caplog, settings):
    short = ["contact_name", "terminal_model", "acquirer"]  # 80 characters at most
    long = ["location", "screen_text", "description", "search_query"]
    fields = {name: text_with_cards(3 * n, 2) for n, name in enumerate(short)}
    fields |= {name: text_with_cards(10 + 4 * n) for n, name in enumerate(long)}
    data = form_data(
        **fields,
        email="shop@example.com",
        steps=[text_with_cards(n, 2) for n in range(10, 16)],
        submission_key="k" * 8 + CARDS[0] + "x" * 8,
        website="",
    )
    response = client.post("/tickets/new/", {**data, **uploads()})
    body = response.content.decode()
    assert response.status_code == 302, body[body.find("form-errors") : body.find("form-errors") + 3000]
    ticket = Ticket.objects.get()
    assert ticket.attachments.count() == 8

    reply = client.post(
        response["Location"].replace("/sent/", "/reply/"),
        {"body": text_with_cards(20, 6), "logs": [log_upload(f"{CARDS[4]}.log", text_with_cards(30), "utf-32", b"")]},
    )
    assert reply.status_code == 302, reply.content.decode()[:2000]

    for n, query in enumerate(ALL_WRITINGS[:12]):
        client.get("/api/search", {"q": f"签到 {query}", "suggest": "1"})
        client.post("/api/search", {"q": f"签到 {query}", "suggest": "1"})
        client.get("/search/", {"q": f"刷卡 {query}"}, follow=True)
        client.get("/en/search/", {"q": f"card {ALL_WRITINGS[-n - 1]}"}, follow=True)

    found = [(where, leaked(text)) for where, text in database_texts() if leaked(text)]
    assert found == []
    files = [(where, leaked(text)) for where, text in stored_texts(Path(settings.MEDIA_ROOT)) if leaked(text)]
    assert files == []
    assert any(Path(settings.MEDIA_ROOT).rglob("*.txt")) or ticket.attachments.filter(file__endswith=".txt").exists()
    sent = [
        m
        for m in mail.outbox
        if leaked(m.subject + m.body + "".join(str(a[0]) for a in getattr(m, "alternatives", [])))
    ]
    assert sent == []
    assert leaked(caplog.text) == []
