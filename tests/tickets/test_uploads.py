"""Each kind of file a merchant may attach, and each hostile one that must be refused."""

import gzip
import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from infra.masking import mask_card_numbers
from tickets import logstream, uploads
from tickets.uploads import check_limits, process_upload, safe_name

from .conftest import CARD, CARD_MASKED, gzip_file, image_bytes, log_file, photo, zip_bytes, zip_file

pytestmark = pytest.mark.usefixtures("english")


def read(processed) -> bytes:
    processed.data.seek(0)
    return processed.data.read()


def refused(upload) -> str:
    with pytest.raises(ValidationError) as caught:
        process_upload(upload)
    return " ".join(caught.value.messages)


# --- Images ---


def test_it_reencodes_a_jpeg_and_drops_exif_and_gps():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0)}
    processed = process_upload(photo(exif=exif.tobytes()))
    data = read(processed)
    assert processed.kind == "image"
    assert processed.content_type == "image/jpeg"
    assert b"PhoneMaker" not in data
    assert not Image.open(io.BytesIO(data)).getexif()


def test_it_drops_comments_hidden_in_a_jpeg():
    processed = process_upload(photo(comment=b"hidden note 4111111111111111"))
    assert b"hidden note" not in read(processed)


def test_it_makes_a_small_thumbnail_of_a_photo():
    processed = process_upload(SimpleUploadedFile("big.png", image_bytes("PNG", size=(1200, 900))))
    thumb = Image.open(io.BytesIO(processed.thumbnail))
    assert max(thumb.size) <= 320


def test_it_turns_a_gif_into_a_png_named_as_such():
    processed = process_upload(SimpleUploadedFile("anim.gif", image_bytes("GIF")))
    assert processed.content_type == "image/png"
    assert processed.original_name == "anim.png"
    assert read(processed).startswith(b"\x89PNG")


def test_it_strips_html_appended_to_a_jpeg():
    polyglot = image_bytes("JPEG") + b"<html><script>alert(1)</script></html>"
    processed = process_upload(SimpleUploadedFile("screen.jpg", polyglot))
    assert b"<script>" not in read(processed)


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_it_refuses_a_decompression_bomb_image():
    message = refused(SimpleUploadedFile("bomb.png", _png_header(100_000, 100_000)))
    assert "bomb.png" in message


def test_it_refuses_a_photo_with_more_pixels_than_allowed(settings):
    settings.TICKET_MAX_IMAGE_PIXELS = 10_000
    message = refused(SimpleUploadedFile("wide.png", image_bytes("PNG", size=(200, 100))))
    assert "wide.png" in message and "200" in message


def test_it_refuses_a_truncated_image():
    message = refused(SimpleUploadedFile("broken.jpg", image_bytes("JPEG")[:200]))
    assert "broken.jpg" in message


# --- Other kinds ---


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.log", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("manual.txt", b"%PDF-1.4\n1 0 obj<<>>endobj\n"),
        ("tool.log", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200),
        ("setup.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
        ("notes.log", b"\x00\x01\x02\x03binary\xff\xfe\x00"),
        ("data.xml", b'<?xml version="1.0"?><root/>'),
    ],
)
def test_it_refuses_files_that_are_neither_images_nor_logs_whatever_their_name(name, content):
    assert name in refused(SimpleUploadedFile(name, content))


def test_it_refuses_an_empty_file():
    assert "empty" in refused(SimpleUploadedFile("empty.log", b""))


# --- Logs ---


def test_it_masks_card_numbers_in_a_text_log():
    processed = process_upload(log_file(text=f"10:00 PAN={CARD} RESP=A0\n"))
    assert read(processed) == f"10:00 PAN={CARD_MASKED} RESP=A0\n".encode()
    assert processed.masked_count == 1


def test_it_decodes_a_gb18030_log_and_stores_it_as_utf8():
    processed = process_upload(log_file(text="签到成功 卡号 4111 1111 1111 1111\n", encoding="gb18030"))
    assert read(processed).decode("utf-8") == f"签到成功 卡号 {CARD_MASKED}\n"
    assert processed.content_type.startswith("text/plain")


def test_it_masks_card_numbers_inside_a_gzip_log():
    processed = process_upload(gzip_file(data=f"PAN {CARD}\n".encode()))
    assert gzip.decompress(read(processed)) == f"PAN {CARD_MASKED}\n".encode()
    assert processed.masked_count == 1


def test_it_masks_card_numbers_inside_every_log_of_a_zip():
    upload = zip_file(members={"a/pos.log": f"PAN {CARD}\n".encode(), "b/pos.log": b"5500000000000004\n"})
    processed = process_upload(upload)
    with zipfile.ZipFile(io.BytesIO(read(processed))) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    assert contents == {"pos.log.txt": f"PAN {CARD_MASKED}\n".encode(), "pos.log-2.txt": b"550000******0004\n"}
    assert processed.masked_count == 2


def test_it_refuses_a_zip_inside_a_zip():
    inner = zip_bytes({"pos.log": b"x\n"})
    message = refused(zip_file(members={"inner.zip": inner}))
    assert "logs.zip" in message and "inner.zip" in message


def test_it_refuses_a_tar_inside_a_gzip():
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("pos.log")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"x\n\n"))
    message = refused(gzip_file("logs.tar.gz", buffer.getvalue()))
    assert "logs.tar.gz" in message


def test_it_refuses_a_password_protected_zip():
    data = bytearray(zip_bytes({"pos.log": b"encrypted-looking\n"}))
    # Set the "encrypted" bit in the local header and the central directory, as a zip tool would.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature) + offset
        data[at] |= 0x1
    message = refused(SimpleUploadedFile("secret.zip", bytes(data)))
    assert "secret.zip" in message and "password" in message


def test_it_refuses_a_zip_with_too_many_files(settings):
    settings.TICKET_MAX_ARCHIVE_MEMBERS = 3
    message = refused(zip_file(members={f"{n}.log": b"x\n" for n in range(4)}))
    assert "4" in message and "3" in message


@pytest.mark.parametrize("member", ["../../etc/cron.d/evil", "/etc/passwd", "C:/Windows/evil.log", "a/../../b.log"])
def test_it_refuses_a_zip_with_a_path_leaving_its_folder(member):
    message = refused(zip_file(members={member: b"x\n"}))
    assert "unsafe path" in message


def test_it_refuses_a_zip_holding_a_symlink():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        info = zipfile.ZipInfo("link.log")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, b"/etc/passwd")
    assert "unsafe path" in refused(SimpleUploadedFile("links.zip", out.getvalue()))


def test_it_refuses_a_zip_that_declares_a_huge_unpacked_size(settings):
    settings.TICKET_MAX_UNPACKED_BYTES = 100_000
    message = refused(zip_file(members={"big.log": b"0" * 200_000}))
    assert "unpacks to more than" in message


def test_it_refuses_a_zip_whose_declared_size_lies(settings):
    settings.TICKET_MAX_UNPACKED_BYTES = 100_000
    data = bytearray(zip_bytes({"big.log": b"0" * 500_000}))
    # Claim 10 bytes in both the local header and the central directory.
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    data[local + 22 : local + 26] = struct.pack("<I", 10)
    data[central + 24 : central + 28] = struct.pack("<I", 10)
    message = refused(SimpleUploadedFile("liar.zip", bytes(data)))
    assert "liar.zip" in message


def test_it_refuses_a_gzip_bomb(settings):
    settings.TICKET_MAX_UNPACKED_BYTES = 100_000
    message = refused(gzip_file("bomb.log.gz", b"0" * 5_000_000))
    assert "unpacks to more than" in message


def test_it_refuses_a_damaged_zip():
    message = refused(SimpleUploadedFile("broken.zip", zip_bytes({"pos.log": b"x" * 1000})[:60]))
    assert "broken.zip" in message


def test_it_refuses_a_binary_file_inside_a_zip():
    message = refused(zip_file(members={"pos.bin": b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 100}))
    assert "pos.bin" in message


# --- Logs read block by block ---


@pytest.fixture
def small_blocks(monkeypatch):
    """Reads of 3 bytes and blocks of 5 characters: every card number and marker lands across an edge."""
    monkeypatch.setattr(logstream, "READ_BYTES", 3)
    monkeypatch.setattr(logstream, "BLOCK_CHARS", 5)


CARDS_ACROSS_LINES = "10:00 PAN 4111\r\n1111 1111\n1111 RESP=A0\r\n签到 5500-0000\r0000-0004 完成\n" * 3


def test_a_card_number_across_blocks_and_line_breaks_is_masked(small_blocks):
    processed = process_upload(log_file(text=CARDS_ACROSS_LINES))
    assert read(processed).decode("utf-8") == mask_card_numbers(CARDS_ACROSS_LINES)[0]
    assert processed.masked_count == 6


def test_a_gb18030_log_that_looks_like_utf8_for_many_blocks_is_stored_as_utf8(small_blocks):
    text = f"10:00 SALE PAN={CARD} RESP=A0\n" * 20 + "签到成功\n"
    processed = process_upload(log_file(text=text, encoding="gb18030"))
    assert read(processed).decode("utf-8") == mask_card_numbers(text)[0]


def test_a_utf16_log_with_a_byte_order_mark_is_masked_block_by_block(small_blocks):
    upload = SimpleUploadedFile("pos.log", b"\xff\xfe" + CARDS_ACROSS_LINES.encode("utf-16-le"))
    assert read(process_upload(upload)).decode("utf-8") == mask_card_numbers(CARDS_ACROSS_LINES)[0]


def test_gzip_and_zip_logs_are_masked_block_by_block(small_blocks):
    expected = mask_card_numbers(CARDS_ACROSS_LINES)[0].encode()
    gz = process_upload(gzip_file(data=CARDS_ACROSS_LINES.encode()))
    zipped = process_upload(zip_file(members={"a.log": CARDS_ACROSS_LINES.encode("gb18030"), "b.log": b"ok\n"}))
    assert gzip.decompress(read(gz)) == expected
    with zipfile.ZipFile(io.BytesIO(read(zipped))) as archive:
        assert archive.read("a.log.txt") == expected and archive.read("b.log.txt") == b"ok\n"
    assert gz.masked_count == zipped.masked_count == 6


def test_a_script_marker_across_blocks_is_refused_and_nothing_is_kept(small_blocks, monkeypatch):
    spools = []
    monkeypatch.setattr(uploads, "_spool", lambda spool=uploads._spool: spools.append(spool()) or spools[-1])
    message = refused(log_file(name="run.log", text="10:00 ok\n" * 50 + "<\n  script>alert(1)</script>\n"))
    assert "run.log" in message and "script" in message
    assert spools and all(spool.closed for spool in spools)


def test_a_log_one_byte_over_the_size_limit_is_refused(settings, small_blocks):
    settings.TICKET_MAX_FILE_BYTES = 1024
    assert process_upload(SimpleUploadedFile("pos.log", b"ok\n" * 341 + b"x")).size == 1024
    assert "larger than" in refused(SimpleUploadedFile("pos.log", b"ok\n" * 341 + b"xy"))


def test_an_archive_unpacking_one_byte_over_the_limit_is_refused(settings, small_blocks):
    settings.TICKET_MAX_UNPACKED_BYTES = 1024
    assert process_upload(gzip_file(data=b"ok\n" * 341 + b"x")).masked_count == 0
    assert "unpacks to more than" in refused(gzip_file(data=b"ok\n" * 341 + b"xy"))
    assert "unpacks to more than" in refused(zip_file(members={"a.log": b"ok\n" * 200, "b.log": b"ok\n" * 142}))


# --- Limits and names ---


def test_limits_count_files(settings):
    settings.TICKET_MAX_FILES = 2
    errors = check_limits([log_file(), log_file(), log_file()])
    assert errors and "2" in errors[0]


def test_limits_refuse_a_file_over_the_size_limit(settings):
    settings.TICKET_MAX_FILE_BYTES = 1024
    errors = check_limits([SimpleUploadedFile("huge.log", b"x" * 2048)])
    assert "huge.log" in errors[0]


def test_limits_refuse_files_adding_up_over_the_total(settings):
    settings.TICKET_MAX_TOTAL_BYTES = 3000
    errors = check_limits([SimpleUploadedFile(f"{n}.log", b"x" * 1000) for n in range(2)], already_bytes=1500)
    assert errors and "MB" in errors[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\屏幕截图.png", "屏幕截图.png"),
        ("a\x00b\r\n.log", "ab.log"),
        ("..", "file"),
        ("x" * 300 + ".log", "x" * 96 + ".log"),
    ],
)
def test_file_names_are_made_safe(raw, expected):
    assert safe_name(raw) == expected


@pytest.mark.parametrize("text", [f"PAN {CARD}\n", "IN 12:00 sign on\n", "SP A0\n"])
def test_a_short_log_that_libmagic_names_after_another_format_is_still_a_log(text):
    processed = process_upload(log_file(text=text))
    assert processed.kind == "log"
    assert CARD not in read(processed).decode()


@pytest.mark.parametrize(
    ("mime", "words"),
    [
        ("application/octet-stream", "a kind of file we cannot open"),
        ("application/pdf", "a PDF document"),
        ("image/heic", "HEIC"),
        ("video/mp4", "a video"),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "an office document"),
    ],
)
def test_a_refused_file_is_named_in_plain_words_never_by_its_mime_type(mime, words, english):
    from tickets.uploads import plain_kind

    assert words in plain_kind(mime)
    assert "/" not in plain_kind(mime)


def test_every_refusal_is_listed_not_just_the_limit(db, settings, english):
    from tickets import services

    settings.TICKET_MAX_FILES = 1
    pdf = SimpleUploadedFile("manual.pdf", b"%PDF-1.4\n%%EOF\n")
    errors = services.pending_upload_store(submission_key="k" * 32, files=[photo(), pdf])
    assert any("at most 1 files" in error for error in errors)
    assert any("manual.pdf" in error and "a PDF document" in error for error in errors)
