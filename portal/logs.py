"""Logging that never writes a card number.

A search typed into the address bar, a Referer, an error message quoting a form value: any log line can
carry what a merchant typed. Every record made in the process — Django's, the development server's and
gunicorn's access log alike — is masked when it is created, before any handler or formatter sees it.
"""

import logging
import logging.config
from urllib.parse import unquote_plus

from portal.masking import mask

_make_record = logging.getLogRecordFactory()
_formatter = logging.Formatter()


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
    masked = _masked(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info:
        # A traceback quotes values too; formatters use exc_text when it is already there.
        record.exc_text = mask(_formatter.formatException(record.exc_info))
    return record


def configure(config: dict) -> None:
    """settings.LOGGING_CONFIG: Django's dictConfig, plus masking for every record."""
    logging.setLogRecordFactory(_masked_record)
    logging.config.dictConfig(config)
