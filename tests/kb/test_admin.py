"""Editing in the admin: markdownx editor, revisions with compare and restore, staff-only preview and upload."""

import io
import json
import re
import zlib
from html import unescape
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image, PngImagePlugin

from kb import services
from kb.models import Article, ArticleRevision, Category, ResponseCode

pytestmark = pytest.mark.usefixtures("loaded_kb")

PREVIEW = "/admin/kb/markdownx/markdownify/"
UPLOAD = "/admin/kb/markdownx/upload/"


def _form_data(article: Article | None = None, **changes) -> dict:
    data = {
        "title": "打印机不出纸怎么办",
        "slug": "printer-no-paper",
        "language": "zh-hans",
        "status": Article.Status.PUBLISHED,
        "visibility": Article.Visibility.PUBLIC,
        "publish_at_0": "",
        "publish_at_1": "",
        "body": "## 检查纸卷\n\n打开纸仓，确认热敏纸方向正确。\n",
        "note": "",
        "summary": "",
        "symptoms": "",
        "tags": "",
        "codes": "",
        "related": "",
        "order": 100,
    }
    if article is None:
        data["category"] = Category.objects.get(slug="self-fix").pk
    else:
        data |= {
            field: getattr(article, field)
            for field in ["title", "slug", "language", "status", "visibility", "body", "summary", "symptoms", "tags"]
        }
        data |= {"codes": article.codes, "related": article.related, "order": article.order}
        data |= {"category": article.category_id}
        if article.publish_at:
            local = timezone.localtime(article.publish_at)
            data |= {"publish_at_0": local.strftime("%Y-%m-%d"), "publish_at_1": local.strftime("%H:%M")}
    return data | changes


def _text(html: str) -> str:
    """What a reader sees: tags removed (the diff marks changed characters with spans inside words)."""
    return unescape(re.sub(r"<[^>]+>", "", html)).replace("\xa0", " ")


def _change_url(article: Article) -> str:
    return reverse("admin:kb_article_change", args=[article.pk])


@pytest.fixture
def article(make_article, editor):
    return make_article(slug="printer", body="## 检查纸卷\n\n第一版正文。\n", author=editor, note="first draft")


def _edit(client, article: Article, **changes):
    return client.post(_change_url(article), _form_data(article, **changes))


# --- Creating and editing ----------------------------------------------------------------------------


def test_the_article_form_uses_the_markdownx_editor_with_the_staff_only_endpoints(staff_client):
    html = staff_client.get(reverse("admin:kb_article_add")).content.decode()

    assert 'class="markdownx"' in html
    assert f'data-markdownx-urls-path="{PREVIEW}"' in html
    assert f'data-markdownx-upload-urls-path="{UPLOAD}"' in html


def test_an_editor_creates_an_article_in_the_admin(staff_client):
    response = staff_client.post(reverse("admin:kb_article_add"), _form_data(note="new article"))

    assert response.status_code == 302
    article = Article.objects.get(slug="printer-no-paper", language="zh-hans")
    assert "打开纸仓" in article.body_html
    assert article.toc_html


def test_creating_an_article_in_the_admin_keeps_a_revision_with_author_and_note(staff_client, editor):
    staff_client.post(reverse("admin:kb_article_add"), _form_data(note="new article"))

    revision = ArticleRevision.objects.get(article__slug="printer-no-paper")
    assert (revision.number, revision.author, revision.note) == (1, editor, "new article")


def test_an_editor_edits_an_article_in_the_admin(staff_client, article):
    response = _edit(staff_client, article, body="## 检查纸卷\n\n第二版正文。\n", note="clearer")

    assert response.status_code == 302
    article.refresh_from_db()
    assert "第二版正文" in article.body_html


def test_each_save_in_the_admin_keeps_a_revision_with_author_and_note(staff_client, article, editor):
    _edit(staff_client, article, body="第二版。\n", note="second")
    _edit(staff_client, article, body="第三版。\n", note="third")

    revisions = list(article.revisions.values_list("number", "author", "note", "body"))
    assert revisions == [
        (3, editor.pk, "third", "第三版。\n"),
        (2, editor.pk, "second", "第二版。\n"),
        (1, editor.pk, "first draft", "## 检查纸卷\n\n第一版正文。\n"),
    ]


def test_saving_with_browser_line_endings_and_no_change_keeps_no_extra_revision(staff_client, article):
    _edit(staff_client, article, body=article.body.replace("\n", "\r\n"))

    assert article.revisions.count() == 1


def test_saving_without_changes_keeps_no_extra_revision(staff_client, article):
    _edit(staff_client, article)

    assert article.revisions.count() == 1


def test_a_duplicate_address_in_the_same_language_is_refused_with_a_message(staff_client, article):
    response = staff_client.post(reverse("admin:kb_article_add"), _form_data(slug="printer"))

    assert response.status_code == 200
    assert Article.objects.filter(slug="printer", language="zh-hans").count() == 1
    assert "errornote" in response.content.decode()


def test_the_change_form_shows_the_address_and_language_read_only(staff_client, article):
    html = staff_client.get(_change_url(article)).content.decode()

    assert 'name="slug"' not in html
    assert 'name="language"' not in html
    assert "printer" in html


def test_the_address_and_language_cannot_be_changed_after_creation(staff_client, article):
    _edit(staff_client, article, slug="renamed", language="en", body="改了。\n")

    article.refresh_from_db()
    assert (article.slug, article.language) == ("printer", "zh-hans")
    assert "改了" in article.body_html


def test_publishing_from_the_list_keeps_a_revision(staff_client, make_article):
    draft = make_article(slug="draft", status=Article.Status.DRAFT)

    staff_client.post(reverse("admin:kb_article_changelist"), {"action": "publish", "_selected_action": [draft.pk]})

    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.published_at is not None
    assert draft.revisions.first().status == Article.Status.PUBLISHED


def test_a_draft_saved_in_the_admin_stays_hidden_from_the_public(staff_client):
    staff_client.post(reverse("admin:kb_article_add"), _form_data(status=Article.Status.DRAFT))

    assert Client().get("/articles/printer-no-paper/").status_code == 404


# --- markdownx endpoints ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [None, "merchant", "outsider", "agent"])
@pytest.mark.parametrize("endpoint", [PREVIEW, UPLOAD])
def test_the_markdownx_endpoints_refuse_anyone_who_is_not_an_editor(client, request, persona, endpoint):
    if persona:
        client.force_login(request.getfixturevalue(persona))

    response = client.post(endpoint, {"content": "<b>hi</b>"})

    if persona == "agent":
        # Staff without knowledge-base permissions may read the admin but not use the editor.
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("endpoint", [PREVIEW, UPLOAD])
def test_the_markdownx_endpoints_refuse_get(staff_client, endpoint):
    assert staff_client.get(endpoint).status_code == 405


@pytest.mark.parametrize("path", ["/markdownx/markdownify/", "/markdownx/upload/"])
def test_markdownx_s_own_open_endpoints_are_not_mounted(staff_client, path):
    assert staff_client.post(path, {"content": "x"}).status_code == 404


def test_the_preview_renders_markdown_for_an_editor(staff_client):
    response = staff_client.post(PREVIEW, {"content": "## 标题\n\n**重点**"})

    assert response.status_code == 200
    assert "<strong>重点</strong>" in response.content.decode()


# --- Image upload --------------------------------------------------------------------------------------


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[271] = "SpyCam"  # camera make
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)})
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG", exif=exif, comment=b"shop at Nanjing Road")
    return out.getvalue()


def _upload(client, name: str, data: bytes, content_type: str = "image/png"):
    return client.post(UPLOAD, {"image": SimpleUploadedFile(name, data, content_type=content_type)})


def _uploaded_url(response) -> str:
    code = response.json()["image_code"]
    assert code.startswith("![](") and code.endswith(")")
    return code[4:-1]


def _bytes(response) -> bytes:
    return b"".join(response.streaming_content)


def test_an_uploaded_photo_is_stored_and_served_as_an_image(staff_client, client):
    url = _uploaded_url(_upload(staff_client, "photo.jpg", _jpeg_with_gps(), "image/jpeg"))

    response = client.get(url)

    assert url.startswith("/media/kb/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(_bytes(response))).size == (64, 48)


def test_an_uploaded_photo_comes_back_without_exif_gps_or_comments(staff_client, client):
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo does carry GPS

    url = _uploaded_url(_upload(staff_client, "photo.jpg", original, "image/jpeg"))

    data = _bytes(client.get(url))
    image = Image.open(io.BytesIO(data))
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert b"SpyCam" not in data
    assert b"Nanjing" not in data


def _image_with_metadata(kind: str) -> bytes:
    exif = Image.Exif()
    exif[271] = "SpyCam"
    out = io.BytesIO()
    image = Image.new("RGB", (20, 20), "blue")
    if kind == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", "SpyCam was here")
        image.save(out, "PNG", exif=exif, pnginfo=text)
    elif kind == "GIF":
        image.save(out, "GIF", comment=b"SpyCam was here")
    else:
        image.save(out, kind, exif=exif)
    return out.getvalue()


@pytest.mark.parametrize(("kind", "content_type"), [("PNG", "image/png"), ("WEBP", "image/webp"), ("GIF", "image/gif")])
def test_metadata_is_stripped_from_png_webp_and_gif_too(staff_client, client, kind, content_type):
    original = _image_with_metadata(kind)
    assert b"SpyCam" in original

    url = _uploaded_url(_upload(staff_client, f"screen.{kind.lower()}", original, content_type))

    assert b"SpyCam" not in _bytes(client.get(url))


def test_an_uploaded_image_is_re_encoded_not_stored_as_sent(staff_client, client):
    original = _jpeg_with_gps()

    url = _uploaded_url(_upload(staff_client, "photo.jpg", original, "image/jpeg"))

    assert _bytes(client.get(url)) != original


def test_a_png_keeps_its_transparency(staff_client, client):
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (255, 0, 0, 0)).save(out, "PNG")

    url = _uploaded_url(_upload(staff_client, "clear.png", out.getvalue()))

    assert Image.open(io.BytesIO(_bytes(client.get(url)))).convert("RGBA").getpixel((0, 0))[3] == 0


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HTML_AS_PNG = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("drawing.svg", SVG, "image/svg+xml"),
        ("drawing.png", SVG, "image/png"),
        ("screen.png", HTML_AS_PNG, "image/png"),
        ("screen.html", HTML_AS_PNG, "text/html"),
    ],
    ids=["svg", "svg-renamed-png", "html-renamed-png", "html"],
)
def test_svg_and_html_are_refused_with_a_message(staff_client, name, data, content_type):
    response = _upload(staff_client, name, data, content_type)

    assert response.status_code == 400
    assert response.json()["image"] == ["这个文件不是可读取的图片。请上传 JPEG、PNG 或 WebP 格式的图片。"]


def _png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG file that claims a huge black 1-bit image: it decompresses to width*height/8 bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    data = zlib.compress(row * height, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_with_a_message(staff_client):
    bomb = _png_bomb(20_000, 20_000)
    assert len(bomb) < 200_000  # small on the wire, 400 megapixels once opened

    response = _upload(staff_client, "bomb.png", bomb)

    assert response.status_code == 400
    assert response.json()["image"] == ["图片太大无法处理。请缩小后再上传。"]


def test_an_image_with_more_pixels_than_the_limit_is_refused_naming_its_size(staff_client):
    response = _upload(staff_client, "huge.png", _png_bomb(6_000, 5_000))  # 30 megapixels, limit 25

    assert response.status_code == 400
    assert response.json()["image"] == ["图片为 6000×5000 像素，太大无法处理。请缩小后再上传。"]


def test_an_image_over_the_size_limit_is_refused_with_a_message(staff_client, settings):
    settings.KB_IMAGE_MAX_BYTES = 1024

    response = _upload(staff_client, "photo.jpg", _jpeg_with_gps() + b"\x00" * 2048, "image/jpeg")

    assert response.status_code == 400
    assert response.json()["image"][0].endswith("上限是 1 KB。请换一张更小的图片。")


def test_an_upload_without_a_file_is_refused_with_a_message(staff_client):
    response = staff_client.post(UPLOAD, {})

    assert response.status_code == 400
    assert response.json()["image"] == ["请选择要上传的图片。"]


def test_a_refused_upload_stores_nothing(staff_client, settings):
    _upload(staff_client, "drawing.svg", SVG, "image/svg+xml")

    assert not (settings.MEDIA_ROOT / "kb").exists() or not any((settings.MEDIA_ROOT / "kb").iterdir())


@pytest.mark.parametrize("name", ["missing.jpg", "photo.svg", "photo.html", "..%2Fsecret_key"])
def test_only_stored_images_are_served_from_media(client, name):
    assert client.get(f"/media/kb/{name}").status_code == 404


def test_the_image_response_may_not_run_anything(staff_client, client):
    url = _uploaded_url(_upload(staff_client, "photo.jpg", _jpeg_with_gps(), "image/jpeg"))

    response = client.get(url)

    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_uploaded_json_is_what_markdownx_expects(staff_client):
    response = _upload(staff_client, "photo.jpg", _jpeg_with_gps(), "image/jpeg")

    assert set(json.loads(response.content)) == {"image_code"}


# --- Response codes -------------------------------------------------------------------------------------


def _code_form(source: ResponseCode, **changes) -> dict:
    fields = ["code", "resign", "name_zh", "name_en", "action_zh", "action_en", "details_zh", "details_en"]
    data = {name: getattr(source, name) for name in fields}
    return data | {"screen_texts": source.screen_texts, "is_published": "on" if source.is_published else ""} | changes


def test_an_editor_changes_what_a_code_page_says(staff_client, client):
    code = ResponseCode.objects.get(code="A0")

    staff_client.post(reverse("admin:kb_responsecode_change", args=[code.pk]), _code_form(code, action_zh="先签到。"))

    assert "先签到。" in Client().get("/codes/A0/").content.decode()


def test_a_new_code_typed_in_lowercase_that_already_exists_is_refused_with_a_message(staff_client):
    code = ResponseCode.objects.get(code="A0")

    response = staff_client.post(reverse("admin:kb_responsecode_add"), _code_form(code, code="a0"))

    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert ResponseCode.objects.filter(code__iexact="a0").count() == 1


def test_a_new_private_code_is_stored_in_capitals(staff_client):
    code = ResponseCode.objects.get(code="A0")

    staff_client.post(reverse("admin:kb_responsecode_add"), _code_form(code, code="c1", name_zh="收单机构自定义"))

    assert ResponseCode.objects.get(code="C1").name_zh == "收单机构自定义"


def test_the_bulk_delete_action_removes_codes_through_the_service(staff_client):
    codes = list(ResponseCode.objects.order_by("code")[:2])
    url = reverse("admin:kb_responsecode_changelist")
    data = {"action": "delete_selected", "_selected_action": [code.pk for code in codes], "post": "yes"}
    with mock.patch("kb.admin.services.response_code_delete", wraps=services.response_code_delete) as service:
        assert staff_client.post(url, data).status_code == 302
    assert sorted(call.kwargs["code"].code for call in service.call_args_list) == [code.code for code in codes]
    assert not ResponseCode.objects.filter(pk__in=[code.pk for code in codes]).exists()
