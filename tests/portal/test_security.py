"""Issue 7 on the portal side: the language redirect stays on the site, and no log line carries a card
number, whether Django, the development server or gunicorn writes it."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings

from tests.tickets.conftest import CARD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/%2Fevil.example/search/",
        "//evil.example/search/",
        "/%5Cevil.example/search/",
        "/\\evil.example/search/",
        "/%2F%2Fevil.example/search/",
        "/%09/evil.example/search/",
    ],
)
def test_the_language_redirect_never_leaves_the_site(client, path):
    client.cookies["django_language"] = "en"
    # The path as a server hands it over: decoded, and "//evil.example/…" still a path (the test client
    # alone would read that as a host and send "/search/").
    response = client.get(path, PATH_INFO=unquote(path))

    # No such page in either language: nothing to redirect to, whatever the status of a redirect would be.
    assert (response.status_code, response.get("Location")) == (404, None)


def test_the_language_redirect_still_takes_an_english_visitor_to_english_pages(client):
    client.cookies["django_language"] = "en"
    response = client.get("/search/?q=sign+on")

    assert response.status_code == 302
    assert response["Location"] == "/en/search/?q=sign+on"


def test_the_development_server_s_request_log_never_keeps_a_card_number(caplog):
    logger = logging.getLogger("django.server")  # it does not propagate to the root logger
    logger.addHandler(caplog.handler)
    try:
        logger.info('"%s" %s %s', f"GET /search/?q={CARD} HTTP/1.1", 200, 512)
    finally:
        logger.removeHandler(caplog.handler)

    assert CARD not in caplog.text
    assert "411111******1111" in caplog.text


def test_a_traceback_in_the_log_is_masked_too(caplog):
    try:
        raise ValueError("bad value 4111 1111 1111 1111")
    except ValueError:
        logging.getLogger("portal.test").exception("failed")

    assert "4111 1111 1111 1111" not in caplog.text
    assert "411111******1111" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_gunicorn_s_access_log_masks_card_numbers_in_urls_and_referers(tmp_path):
    """The production server, as the README starts it: the request line and the Referer are masked."""
    # The socket is bound here and handed over: a port found free and then closed could be taken by a
    # parallel worker before gunicorn binds it.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    access_log = tmp_path / "access.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "PORTAL_VAR_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"fd://{listener.fileno()}", "--workers", "1",
         "--access-logfile", str(access_log)],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        pass_fds=[listener.fileno()],
    )  # fmt: skip
    listener.close()
    try:
        url = f"http://127.0.0.1:{port}/healthz?q=4111%E3%80%801111%E3%80%801111%E3%80%801111&c={CARD}"
        request = urllib.request.Request(url, headers={"Referer": f"http://127.0.0.1/search/?q={CARD}"})
        for _attempt in range(100):
            try:
                urllib.request.urlopen(request, timeout=5).read()  # noqa: S310 (a local http:// URL)
                break
            except OSError:
                time.sleep(0.1)
        for _attempt in range(50):
            if access_log.exists() and access_log.read_text():
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    text = Path(access_log).read_text()
    assert "/healthz" in text
    assert CARD not in text
    assert "411111******1111" in text
