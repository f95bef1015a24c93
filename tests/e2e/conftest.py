"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against pytest-django's live server."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the test body
# (fixtures creating users, assertions on stored rows) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs it (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized page (390×844, touch) whose relative URLs go to the live server."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _phone_context(browser, live_server, **options):
    return browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, **options
    )


@pytest.fixture(params=["js", "nojs", "wechat"])
def any_phone(request, browser, live_server):
    """The same 390×844 phone three ways: JavaScript on, JavaScript off, and WeChat's in-app browser."""
    from tests.e2e.journey import WECHAT_UA

    options = {"js": {}, "nojs": {"java_script_enabled": False}, "wechat": {"user_agent": WECHAT_UA}}
    context = _phone_context(browser, live_server, **options[request.param])
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.profile = request.param
    yield page
    context.close()
