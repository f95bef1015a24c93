"""Logging that never writes a card number.

A search typed into the address bar, a Referer, an error message quoting a form value: any log line can
carry what a merchant typed. Every record made in the process — Django's, the development server's and
gunicorn's access log alike — is masked when it is created, before any handler or formatter sees it.

The same goes for the secrets that travel in paths: a merchant's tracking link (/tickets/t/<token>/) opens
their ticket to whoever holds it, and a pending upload's address (/tickets/pending/<key>/…) names the form
it belongs to. Both are logged as /t/[token]/ and /pending/[key]/, whether in the request line or a Referer.
"""

import logging
import logging.config
import re
from urllib.parse import unquote_plus

from infra.masking import mask

_make_record = logging.getLogRecordFactory()
_formatter = logging.Formatter()
# As tickets.urls matches them (tests/infra/test_log_redaction.py holds the two together); written here
# because logging is configured before any app can be imported. Percent-encoded slashes count too: a
# request line is logged as sent.
_SECRET_PATHS = (
    (re.compile(r"((?:/|%2f)t(?:/|%2f))[A-Za-z0-9_-]{20,64}", re.IGNORECASE), r"\1[token]"),
    (re.compile(r"((?:/|%2f)pending(?:/|%2f))[^/\s?#\"']+", re.IGNORECASE), r"\1[key]"),
)


def redact(message: str) -> str:
    """The message with card numbers masked and tracking tokens and upload keys taken out of paths."""
    message = _masked(message)
    for pattern, replacement in _SECRET_PATHS:
        message = pattern.sub(replacement, message)
    return message


def _masked(message: str) -> str:
    masked = mask(message)
    if "%" in masked or "+" in masked:
        # An access log line quotes the query string percent-encoded: "4111%2F1111…" hides its separators.
        decoded = unquote_plus(masked)
        redecoded = mask(decoded)
        if redecoded != decoded:
            return redecoded
    return masked


def _masked_record(*args, **kwargs) -> logging.LogRecord:
    record = _make_record(*args, **kwargs)
    message = record.getMessage()
    masked = redact(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info:
        # A traceback quotes values too; formatters use exc_text when it is already there.
        record.exc_text = redact(_formatter.formatException(record.exc_info))
    return record


def configure(config: dict) -> None:
    """settings.LOGGING_CONFIG: Django's dictConfig, plus masking for every record."""
    logging.setLogRecordFactory(_masked_record)
    logging.config.dictConfig(config)
