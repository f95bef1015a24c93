"""Issue 18 §5: a tracking link opens a merchant's ticket to whoever holds it, so no log line keeps one."""

import logging
import re

import pytest

from tickets.urls import TicketKeyConverter

pytestmark = pytest.mark.django_db

TOKEN = "Zq3x_T0kEn-abcdefghijklmnopqrstuv"
KEY = "pEnDiNgKeY_abcdefghijklmnopq"


def _logged(caplog, logger_name: str, *args) -> str:
    logger = logging.getLogger(logger_name)
    logger.addHandler(caplog.handler)  # django.server and gunicorn.access do not propagate to the root
    try:
        logger.info(*args)
    finally:
        logger.removeHandler(caplog.handler)
    return caplog.text


def test_the_redacted_token_shape_is_the_one_the_tracking_urls_accept():
    assert re.fullmatch(TicketKeyConverter.regex, f"t/{TOKEN}")
    from infra.logs import redact

    assert redact(f"/tickets/t/{TOKEN}/") == "/tickets/t/[token]/"


def test_the_development_server_logs_the_tracking_path_without_its_token(caplog):
    text = _logged(caplog, "django.server", '"%s" %s %s', f"GET /en/tickets/t/{TOKEN}/reply/ HTTP/1.1", 200, 512)

    assert TOKEN not in text
    assert "/en/tickets/t/[token]/reply/" in text


def test_gunicorn_s_access_log_drops_the_token_from_the_request_line_and_the_referer(caplog):
    # gunicorn logs its access_log_format with a dict of atoms as the arguments.
    atoms = {"r": f"GET /tickets/t/{TOKEN}/ HTTP/1.1", "f": f"https://help.example.com/tickets/t/{TOKEN}/"}
    text = _logged(caplog, "gunicorn.access", '"%(r)s" "%(f)s"', atoms)

    assert TOKEN not in text
    assert '"GET /tickets/t/[token]/ HTTP/1.1" "https://help.example.com/tickets/t/[token]/"' in text


def test_an_escaped_slash_does_not_hide_the_token(caplog):
    text = _logged(caplog, "django.server", '"%s"', f"GET /tickets/t%2F{TOKEN}/ HTTP/1.1")

    assert TOKEN not in text


def test_a_pending_upload_s_key_is_left_out_too(caplog):
    text = _logged(caplog, "django.server", '"%s"', f"GET /tickets/pending/{KEY}/3/ HTTP/1.1")

    assert KEY not in text
    assert "/tickets/pending/[key]/3/" in text


def test_a_tracking_link_that_finds_no_ticket_is_logged_without_its_token(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"/tickets/t/{TOKEN}/")

    assert response.status_code == 404
    assert "/tickets/t/[token]/" in caplog.text
    assert TOKEN not in caplog.text


def test_other_paths_are_logged_as_they_are(caplog):
    text = _logged(caplog, "django.server", '"%s"', "GET /search/?q=terminal+timeout HTTP/1.1")

    assert "/search/?q=terminal+timeout" in text
