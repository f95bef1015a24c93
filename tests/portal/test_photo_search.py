"""The photo search page: the button on the home and search pages, the answer page, the bad cases."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.ocr_server import text_photo
from tickets import photos

pytestmark = pytest.mark.django_db
URL = "/search/photo/"


def _send(client, data: bytes, name: str = "screen.jpg"):
    return client.post(URL, {"photo": SimpleUploadedFile(name, data, content_type="image/jpeg")})


def test_the_home_page_offers_a_photo_of_the_screen(client, loaded_kb):
    page = client.get("/").content.decode()
    assert 'action="/search/photo/"' in page and 'enctype="multipart/form-data"' in page


def test_a_search_with_no_result_offers_a_photo_of_the_screen(client, loaded_kb):
    page = client.get("/search/", {"q": "zzqqxxyy"}).content.decode()
    assert 'action="/search/photo/"' in page


def test_the_answer_says_what_was_read_and_puts_the_codes_page_first(client, loaded_kb, ocr_server):
    answer = _send(client, text_photo(["交易失败", "AO 校验错，请重新签到"]))
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "校验错" in page
    results = page.split('class="article-list detailed search-results"', 1)[1]
    assert results.split('href="', 1)[1].startswith("/codes/A0/")
    # "Not right? Type it instead": the search box holds what was read, for editing.
    assert 'name="q"' in page and "校验错" in page.split('name="q"', 1)[1].split(">", 1)[0]


def test_a_photo_with_no_text_says_so_and_offers_typing(client, loaded_kb, ocr_server):
    blank = io.BytesIO()
    Image.new("RGB", (1000, 800), (210, 210, 205)).save(blank, format="PNG")
    page = _send(client, blank.getvalue(), name="blank.png").content.decode()
    assert 'role="alert"' in page and 'name="q"' in page


def test_a_file_that_is_not_a_photo_is_refused_with_a_message(client, loaded_kb):
    answer = _send(client, b"%PDF-1.4 not a photo\n" + b"0" * 500, name="a.pdf")
    assert answer.status_code == 400
    assert 'role="alert"' in answer.content.decode()


def test_no_reader_running_keeps_the_merchant_on_a_page_to_type_instead(client, loaded_kb, settings, tmp_path):
    settings.OCR_SOCKET = str(tmp_path / "nobody.sock")
    answer = _send(client, text_photo(["A0"]))
    assert answer.status_code == 503
    assert 'name="q"' in answer.content.decode()


def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


def test_a_card_number_read_is_blacked_out_in_the_copy_kept(loaded_kb, ocr_server):
    photo = text_photo(["卡号 6222 0212 3456 7890 128", "RESP:51"])
    read = photos.photo_read(photo)
    assert read.cards == 1
    assert "7890128" not in read.text.replace(" ", "")
    assert read.redacted is not None
    with Image.open(io.BytesIO(read.redacted)) as kept:
        # The card line (drawn from x=120, y=200 at 64 px) is black; the RESP line below is not.
        assert kept.convert("L").crop((130, 215, 900, 260)).getextrema()[1] < 40
        assert kept.convert("L").crop((120, 315, 400, 380)).getextrema()[1] > 150


def test_the_form_is_protected_against_cross_site_posts(loaded_kb):
    from django.test import Client

    answer = Client(enforce_csrf_checks=True).post(URL, {"photo": SimpleUploadedFile("a.jpg", text_photo(["A0"]))})
    assert answer.status_code == 403
