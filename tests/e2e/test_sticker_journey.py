"""Issue 24's QR round trip in a real browser: an admin uploads a fleet's CSV and gets an A4 sheet of stickers;
a merchant scans one in WeChat and lands on the terminal's page in the phone's language, one tap from a ticket
form already filled with the terminal; a revoked sticker's link says so. And the API's documentation page runs
under the site's Content-Security-Policy."""

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.e2e.journey import WECHAT_UA, ConsoleLog, RequestLog, Shots
from tests.e2e.test_accessibility import serious_violations
from tickets.models import TerminalSticker
from tickets.services.stickers import sticker_revoke

pytestmark = pytest.mark.django_db(transaction=True)

MID = "102310058120001"
FLEET = (
    "merchant_id,terminal_id,serial_number,terminal_model,model_slug,acquirer\n"
    + "".join(f"{MID},1234567{n},N7A0{n},新大陆 ME31,,银联商务\n" for n in range(7))
).encode("gbk")  # as Excel in China saves it


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="admin", password="admin-pass-123")


def _signed_in(browser, live_server, user, **options):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def _phone(browser, live_server, locale: str, **options):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale=locale,
        **options,
    )
    context.set_default_timeout(10_000)
    return context


def _upload_fleet(browser, live_server, superuser, shots) -> str:
    """The admin's part: CSV in, A4 sheet out. Returns the first sticker's printed link's path."""
    context = _signed_in(browser, live_server, superuser, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    requests = RequestLog().attach(page)
    page.goto("/admin/tickets/terminalsticker/")
    page.locator("a[href$='/terminalsticker/import/']").click()  # "Stickers for a fleet (CSV)"
    page.set_input_files("input[type=file]", files=[{"name": "fleet.csv", "mimeType": "text/csv", "buffer": FLEET}])
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    stickers = page.locator("figure.sticker")
    expect(stickers).to_have_count(7)
    shots(page, "admin-sheet-1440", full_page=True)

    boxes = [stickers.nth(i).bounding_box() for i in range(4)]
    # Three across: the first three share a row, left to right; the fourth starts the next row.
    assert boxes[0]["y"] == boxes[1]["y"] == boxes[2]["y"] < boxes[3]["y"]
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"] and boxes[3]["x"] == boxes[0]["x"]
    for i in range(3):
        sticker = stickers.nth(i)
        code, tid = sticker.locator("img").bounding_box(), sticker.locator(".tid").bounding_box()
        assert tid["y"] >= code["y"] + code["height"] - 1  # under its code
        assert code["x"] <= tid["x"] + tid["width"] / 2 <= code["x"] + code["width"]  # and centred on it
        assert sticker.locator(".tid").inner_text() == f"TID 1234567{i}"
        # Nothing of the caption is cut off by the label's edge.
        box = boxes[i]
        for part in (".tid", ".link", "strong[lang=zh-hans]", "strong[lang=en]"):
            inner = sticker.locator(part).bounding_box()
            assert box["x"] <= inner["x"] and inner["x"] + inner["width"] <= box["x"] + box["width"] + 0.5, part
            assert inner["y"] + inner["height"] <= box["y"] + box["height"] + 0.5, part
    assert requests.failures() == []
    link = stickers.first.locator(".link").inner_text()
    context.close()
    return urlparse(link).path


def test_a_fleets_sticker_goes_from_csv_to_a_prefilled_form_in_the_phones_language(browser, live_server, superuser):
    shots = Shots("sticker-round-trip")
    path = _upload_fleet(browser, live_server, superuser, shots)
    sticker = TerminalSticker.objects.get(terminal_id="12345670")
    assert path == f"/s/{sticker.token}/"

    # A merchant scans it in WeChat on a Chinese phone.
    context = _phone(browser, live_server, "zh-CN", user_agent=WECHAT_UA)
    phone = context.new_page()
    requests, console = RequestLog().attach(phone), ConsoleLog().attach(phone)
    phone.goto(path)
    assert urlparse(phone.url).path == f"/tickets/terminal/{sticker.token}/"
    expect(phone.locator("h1")).to_have_text("终端 12345670 的帮助")
    shots(phone, "terminal-zh-wechat", full_page=True)
    assert serious_violations(phone) == []
    phone.get_by_role("link", name="报告这台终端的问题").click()
    expect(phone.locator("#id_merchant_id")).to_have_value(MID)
    expect(phone.locator("#id_terminal_id")).to_have_value("12345670")
    shots(phone, "form-zh-filled")
    assert requests.failures() == [] and console.errors() == []
    context.close()

    # The same sticker on an English phone.
    context = _phone(browser, live_server, "en-US")
    phone = context.new_page()
    requests = RequestLog().attach(phone)
    phone.goto(path)
    assert urlparse(phone.url).path == f"/en/tickets/terminal/{sticker.token}/"
    expect(phone.locator("h1")).to_have_text("Help for terminal 12345670")
    shots(phone, "terminal-en", full_page=True)
    assert serious_violations(phone) == []
    phone.get_by_role("link", name="Report a problem with this terminal").click()
    expect(phone.locator("#id_terminal_id")).to_have_value("12345670")
    assert requests.failures() == []
    context.close()


@pytest.mark.parametrize("locale,heading", [("zh-CN", "此二维码贴纸已失效"), ("en-US", "This sticker no longer works")])
def test_a_revoked_stickers_link_has_its_own_clear_page(browser, live_server, superuser, locale, heading):
    from tickets.services.stickers import sticker_create

    sticker = sticker_create(actor=superuser, values={"merchant_id": MID, "terminal_id": "12345670"})
    sticker_revoke(actor=superuser, sticker=sticker)
    context = _phone(browser, live_server, locale, user_agent=WECHAT_UA)
    phone = context.new_page()
    requests = RequestLog().attach(phone)
    phone.goto(f"/s/{sticker.token}/")
    expect(phone.locator("h1")).to_have_text(heading)
    assert MID not in phone.content()
    Shots(f"sticker-gone-{locale}")(phone, "revoked", full_page=True)
    assert serious_violations(phone) == []
    # The one deliberate error: the page's own 410.
    assert [status for _method, _url, status in requests.failures()] == [410]
    context.close()


def test_the_api_documentation_page_runs_under_the_sites_policy(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    requests, console = RequestLog().attach(page), ConsoleLog().attach(page)
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("POS support portal API")
    expect(page.locator(".opblock").first).to_be_visible()
    Shots("api-docs")(page, "swagger-1440")
    assert console.errors() == []
    assert requests.failures() == []
    context.close()
