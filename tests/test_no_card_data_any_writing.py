"""Issue 18's probe, kept: fresh Luhn-valid numbers written with separators outside any list (slashes,
tildes, Chinese commas, colons, pipes, box-drawing lines, ellipses, wide gaps, a wrap with an indent, ANSI
colours, BEL), superscript, subscript and circled digits, and 13/17/18-digit numbers glued after an
ISO 8583 length, planted in every place text enters. None may be found in full afterwards: not in a
table, a stored file, a log line or the agents' CSV export."""

import logging
import re
import unicodedata
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from infra.masking import luhn_valid
from tests.test_no_card_data import database_texts, stored_texts
from tests.tickets.conftest import form_data, zip_bytes
from tickets.models import Ticket
from tickets.services import ticket_note_add

pytestmark = pytest.mark.django_db


def _luhn(body: str) -> str:
    return next(body + digit for digit in "0123456789" if luhn_valid(body + digit))


# Fresh numbers of the networks and lengths seen at Chinese terminals; none is a real card.
CARDS = [
    _luhn("621700731234567"),  # UnionPay 16
    _luhn("62284812345678901"),  # UnionPay 18
    _luhn("6259650871234567"),  # UnionPay 17
    _luhn("434567123456"),  # Visa 13
    _luhn("520212345678901"),  # Mastercard 16
    _luhn("37144963539843"),  # Amex 15
    _luhn("356600202036050"),  # JCB 16
    _luhn("955880123456789012"),  # domestic debit 19
]
SEPARATORS = ["／", "/", "~", "～", "〜", "，", "、", "_", ":", "：", "|", "+", "'", "ー", "─", "…", ";"]
SEPARATORS += [" " * 8, "\n        ", "\x1b[31m \x1b[0m", "\x07", "\u200b\u200b", "-\u00ad-"]
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
CIRCLED = str.maketrans("0123456789", "⓪①②③④⑤⑥⑦⑧⑨")


def writings(card: str) -> list[str]:
    groups = [card[i : i + 4] for i in range(0, len(card), 4)]
    out = [sep.join(groups) for sep in SEPARATORS]
    out += [" ".join(groups).translate(table) for table in (SUPERSCRIPT, SUBSCRIPT, CIRCLED)]
    out += [f"F2={len(card)}{card}", "".join(digit + "\ufe0f\u20e3" for digit in card)]
    return out


ALL = [(card, text) for card in CARDS for text in writings(card)]
_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def digits_as_read(text: str) -> str:
    """Every digit a reader sees, in order, whatever separates them; letters become a break ("|")."""
    out = []
    for char in _ESCAPE.sub("", text):
        value = unicodedata.digit(char, None)
        if value is not None:
            out.append(str(value))
        elif char.isalpha() and unicodedata.category(char) != "Lm":  # ー, ˇ… are letters that read as marks
            out.append("|")
    return "".join(out)


def leaked(text: str) -> list[str]:
    read = digits_as_read(text)
    return [card for card in CARDS if card in read]


def test_the_probes_writings_are_cards_as_a_reader_sees_them():
    # The probe is only as good as its check: every planted writing reads as its card.
    assert all(leaked(text) == [card] for card, text in ALL)


def _plant(offset: int, count: int) -> str:
    return "，".join(text for _card, text in ALL[offset : offset + count])


def test_no_planted_number_survives_anywhere(client, agent, loaded_kb, settings, caplog, django_user_model):
    caplog.set_level(logging.INFO)
    log_text = "\n".join(f"10:00:{n:02d} PAN {text} RESP=A0" for n, (_card, text) in enumerate(ALL)) + "\n"
    files = {
        "logs": [
            SimpleUploadedFile("pos-gb.log", ("签到 " + log_text).encode("gb18030"), content_type="text/plain"),
            SimpleUploadedFile("pos-16.log", b"\xff\xfe" + log_text.encode("utf-16-le"), content_type="text/plain"),
            SimpleUploadedFile(
                f"{'～'.join([CARDS[0][i : i + 4] for i in range(0, 16, 4)])}.log",
                log_text.encode(),
                content_type="text/plain",
            ),
            SimpleUploadedFile(
                "logs.zip",
                zip_bytes({f"a/{'_'.join([CARDS[1][i : i + 4] for i in range(0, 18, 4)])}.log": log_text.encode()}),
                content_type="application/zip",
            ),
        ]
    }
    data = form_data(
        description=_plant(0, 12),
        screen_text=_plant(12, 3),
        location=_plant(20, 3),
        steps=[_plant(n, 2) for n in range(30, 40, 2)],
        website="",
    )
    response = client.post("/tickets/new/", {**data, **files})
    assert response.status_code == 302, response.content.decode()[:3000]
    ticket = Ticket.objects.get()

    reply = client.post(response["Location"].replace("/sent/", "/reply/"), {"body": _plant(50, 20)})
    assert reply.status_code == 302
    ticket_note_add(ticket=ticket, agent=agent, body=_plant(70, 20))
    for _card, text in ALL[90:130]:
        client.get("/search/", {"q": f"刷卡 {text}"}, follow=True)
        client.get("/api/search", {"q": text})
        client.post("/api/search", {"q": text})
    logging.getLogger("django.server").info('"GET /search/?q=%s HTTP/1.1" 200 1', "4111%E3%80%80" + ALL[0][1])

    # Fields whose exact value matters refuse a card number instead of storing it.
    signup = client.post(
        reverse("tickets:signup"),
        {"username": ALL[5][1], "email": "a@example.com", "password1": "x-Long-pass-9", "password2": "x-Long-pass-9"},
    )
    assert signup.status_code == 400 and not django_user_model.objects.filter(email="a@example.com").exists()
    assert "请勿在此填写卡号" in signup.content.decode()

    client.force_login(agent)
    export = client.get(reverse("agents:queue_export"))
    exported = b"".join(export.streaming_content).decode("utf-8-sig")

    assert [(where, leaked(text)) for where, text in database_texts() if leaked(text)] == []
    stored = [(w, leaked(t)) for w, t in stored_texts(Path(settings.MEDIA_ROOT)) if leaked(t)]
    assert stored == []
    assert leaked(exported) == []
    assert leaked(caplog.text) == []
    assert ticket.attachments.count() == 4
