"""POST /api/v1/search/photo: a photo of the screen, read by a real OCR server, answered like GET /search."""

import io
import json
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.ocr_server import text_photo

pytestmark = pytest.mark.django_db
URL = "/api/v1/search/photo"


def _send(client, data: bytes, *, name: str = "screen.jpg", **fields):
    return client.post(URL, {"photo": SimpleUploadedFile(name, data, content_type="image/jpeg"), **fields})


def test_a_photo_of_the_screen_answers_its_code_and_the_codes_page_first(client, loaded_kb, ocr_server):
    answer = _send(client, text_photo(["交易失败", "AO 校验错，请重新签到"]), lang="en")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert "校验错" in body["text"]
    assert body["codes"] == ["A0"]
    assert body["results"][0]["url"].endswith("/en/codes/A0/")
    search = client.get("/api/v1/search", {"q": "A0", "lang": "en"}).json()
    assert body["results"] == search["results"]


def test_a_rotated_photo_is_read(client, loaded_kb, ocr_server):
    answer = _send(client, text_photo(["消费", "余额不足", "应答码:51"], angle=12))
    assert answer.json()["codes"] == ["51"]


def test_a_photo_with_no_text_answers_nothing_read(client, loaded_kb, ocr_server):
    blank = io.BytesIO()
    Image.new("RGB", (1200, 900), (200, 205, 198)).save(blank, format="JPEG")
    answer = _send(client, blank.getvalue())
    assert answer.status_code == 200
    assert answer.json() == {"text": "", "codes": [], "results": []}


def test_a_card_number_read_is_masked_in_the_answer(client, loaded_kb, ocr_server):
    answer = _send(client, text_photo(["卡号 6222 0212 3456 7890 128", "RESP:51"]))
    body = answer.json()
    assert "7890128" not in body["text"].replace(" ", "")
    assert "6222021234567890128" not in json.dumps(body).replace(" ", "")
    assert body["codes"] == ["51"]


def test_a_file_that_is_not_an_image_is_refused(client, loaded_kb):
    answer = _send(client, b"RESP:51 this is a text file\n" * 20, name="screen.txt")
    assert answer.status_code == 400
    assert "photo" in answer.json()["errors"]


def test_an_image_with_too_many_pixels_is_refused_unread(client, loaded_kb, settings):
    settings.TICKET_MAX_IMAGE_PIXELS = 1_000_000
    answer = _send(client, text_photo(["A0"], size=(2000, 1500)))
    assert answer.status_code == 400
    assert "2000×1500" in answer.json()["errors"]["photo"][0]


def test_a_photo_over_the_size_limit_is_refused(client, loaded_kb, settings):
    settings.TICKET_MAX_FILE_BYTES = 50_000
    answer = _send(client, text_photo(["A0"]) + b"\0" * 60_000)
    assert answer.status_code in (400, 413)


def test_no_photo_is_a_problem_naming_the_field(client, loaded_kb):
    answer = client.post(URL, {"lang": "en"})
    assert answer.status_code == 400
    assert "photo" in answer.json()["errors"]


def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


def test_a_busy_reader_answers_503_with_retry_after(client, loaded_kb, busy_server, settings):
    answer = _send(client, text_photo(["A0"]))
    assert answer.status_code == 503
    assert answer["Retry-After"] == str(settings.OCR_RETRY_AFTER_SECONDS)
    assert answer["Content-Type"].startswith("application/problem+json")


def test_no_reader_running_is_a_503_not_a_server_error(client, loaded_kb, settings, tmp_path):
    settings.OCR_SOCKET = str(tmp_path / "nobody.sock")
    answer = _send(client, text_photo(["A0"]))
    assert answer.status_code == 503


def test_the_web_process_never_loads_the_models(client, loaded_kb, ocr_server):
    _send(client, text_photo(["A0"]))
    assert "rapidocr" not in sys.modules and "onnxruntime" not in sys.modules
