"""Uploads that fit a slow phone: a 12 MP photo is made small in the browser before it is sent (orientation kept,
no GPS position sent), a file that cannot be sent is refused before anything is sent with every reason listed,
and without JavaScript the server still takes the original and still refuses what it must.

The figure: a 2.7 MB / 12 MP photo over a link throttled to 50 KB/s up (Chromium's devtools protocol,
Network.emulateNetworkConditions) reaches the confirmation in ≤ 15 s; each run writes it to
test-results/slow-upload.txt."""

import io
import re
import time
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.journey import WECHAT_UA, RequestLog, Shots
from tests.e2e.photos import phone_photo
from tests.e2e.test_ticket_send import fill_required
from tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db(transaction=True)

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
UP_BYTES_PER_SECOND = 50 * 1024


@pytest.fixture(scope="session")
def photo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("photos") / "IMG_20260501_101500.jpg"
    path.write_bytes(phone_photo())
    return path


def _wechat_phone(browser, live_server, *, javascript: bool = True):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        user_agent=WECHAT_UA,
        java_script_enabled=javascript,
    )
    context.set_default_timeout(30_000)
    return context, context.new_page()


def _throttle(context, page) -> None:
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 100, "downloadThroughput": -1, "uploadThroughput": UP_BYTES_PER_SECOND},
    )


def test_a_12_megapixel_photo_reaches_the_confirmation_within_15_seconds_at_50_kb_per_second(
    browser, live_server, photo_file
):
    context, page = _wechat_phone(browser, live_server)
    shots = Shots("slow-upload-wechat")
    log = RequestLog().attach(page)
    page.goto("/tickets/new/")
    fill_required(page)
    _throttle(context, page)
    started = time.monotonic()

    page.set_input_files("#id_photos", str(photo_file))
    expect(page.locator("#previews li").first).to_contain_text("→")  # "made smaller for sending: 2.6 MB → …"
    chosen = time.monotonic()
    page.locator("#previews").scroll_into_view_if_needed()
    shots(page, "photo-made-smaller")
    sent_size = page.evaluate("document.getElementById('id_photos').files[0].size")
    page.locator("button.send").click()
    expect(page).to_have_url(re.compile(r"/tickets/t/[\w-]+/sent/$"), timeout=30_000)
    done = time.monotonic()
    shots(page, "confirmation")

    total, upload = done - started, done - chosen
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "slow-upload.txt").write_text(
        f"photo {photo_file.stat().st_size} bytes, 4000x3000; sent {sent_size} bytes; "
        f"50 KB/s up: chosen→confirmation {total:.1f} s, send→confirmation {upload:.1f} s\n"
    )
    assert total <= 15, f"{total:.1f} s"
    assert log.failures() == [] and len(log.posts()) == 1
    stored = Attachment.objects.get()
    with Image.open(stored.file if Path(stored.file).is_absolute() else _media(stored.file)) as image:
        # Upright as the phone showed it: the sideways sensor image turned by the browser, 2048 px long.
        assert image.size == (1536, 2048)


def _media(name: str) -> str:
    from django.core.files.storage import default_storage

    return default_storage.path(name)


def test_what_leaves_the_phone_is_small_upright_and_has_no_position(browser, live_server, photo_file):
    context, page = _wechat_phone(browser, live_server)
    page.goto("/tickets/new/")
    page.set_input_files("#id_photos", str(photo_file))
    expect(page.locator("#previews li").first).to_contain_text("→")
    data = bytes(
        page.evaluate(
            "async () => Array.from(new Uint8Array(await document.getElementById('id_photos').files[0].arrayBuffer()))"
        )
    )
    context.close()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert image.size == (1536, 2048)
        assert not image.getexif().get_ifd(0x8825)  # no GPS
    assert b"Exif" not in data[:4096]
    assert len(data) < 700_000


def test_without_javascript_the_original_photo_is_taken(browser, live_server, photo_file):
    context, page = _wechat_phone(browser, live_server, javascript=False)
    log = RequestLog().attach(page)
    page.goto("/tickets/new/")
    fill_required(page)
    page.set_input_files("#id_photos", str(photo_file))
    page.locator("button.send").click()
    expect(page).to_have_url(re.compile(r"/tickets/t/[\w-]+/sent/$"))
    Shots("slow-upload-nojs")(page, "confirmation")
    context.close()
    assert log.failures() == [] and len(log.posts()) == 1
    stored = Ticket.objects.get().attachments.get()
    assert stored.original_name == photo_file.name


def _bad_files(tmp_path: Path) -> list[str]:
    big = tmp_path / "pos-full.log"
    big.write_text("2026-05-01 10:00:01 SIGN ON OK\n" * 40_000)  # 1.2 MB of text: over a 1 MB limit
    pdf = tmp_path / "manual.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return [str(pdf), str(big)]


def test_files_that_cannot_be_sent_are_refused_in_the_browser_with_every_reason(
    browser, live_server, settings, tmp_path
):
    settings.TICKET_MAX_FILE_BYTES = 1024 * 1024
    context, page = _wechat_phone(browser, live_server)
    log = RequestLog().attach(page)
    page.goto("/tickets/new/")
    fill_required(page)
    log.clear()

    page.set_input_files("#id_logs", _bad_files(tmp_path))

    refusals = page.locator("#id_logs + .file-refusals .file-refused")  # right under the input used
    expect(refusals).to_have_count(2)
    refusals.first.scroll_into_view_if_needed()
    texts = refusals.all_inner_texts()
    assert "manual.pdf" in texts[0] and "照片或截图" in texts[0]
    assert "pos-full.log" in texts[1] and "1 MB" in texts[1]
    assert not any("application/" in text for text in texts)
    assert log.posts() == []  # nothing was sent to find that out
    Shots("refused-in-browser")(page, "two-reasons", full_page=False)
    page.locator("button.send").click()
    expect(page).to_have_url(re.compile(r"/tickets/t/[\w-]+/sent/$"))
    context.close()
    assert log.failures() == [] and len(log.posts()) == 1
    assert Ticket.objects.get().attachments.count() == 0


def test_without_javascript_the_server_lists_every_refusal_in_plain_words(browser, live_server, settings, tmp_path):
    settings.TICKET_MAX_FILE_BYTES = 1024 * 1024
    context, page = _wechat_phone(browser, live_server, javascript=False)
    page.goto("/tickets/new/")
    fill_required(page)
    page.set_input_files("#id_logs", _bad_files(tmp_path))
    page.locator("button.send").click()
    summary = page.locator("#form-errors")
    expect(summary).to_be_visible()
    summary.scroll_into_view_if_needed()
    text = summary.inner_text()
    Shots("refused-by-server-nojs")(page, "summary")
    context.close()
    assert "manual.pdf" in text and "PDF 文档" in text
    assert "pos-full.log" in text
    assert "application/" not in text


def test_a_heic_photo_the_browser_cannot_read_is_refused_with_what_to_do(browser, live_server):
    context, page = _wechat_phone(browser, live_server)
    log = RequestLog().attach(page)
    page.goto("/tickets/new/")
    log.clear()
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    page.set_input_files("#id_photos", files=[{"name": "IMG_0001.HEIC", "mimeType": "image/heic", "buffer": heic}])
    refusal = page.locator("#id_photos + .file-refusals")
    expect(refusal).to_contain_text("IMG_0001.HEIC")
    expect(refusal).to_contain_text("HEIC")
    expect(refusal).to_contain_text("截图")
    assert page.evaluate("document.getElementById('id_photos').files.length") == 0  # nothing left to send
    context.close()
    assert log.posts() == []
