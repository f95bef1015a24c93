"""Logging that never writes a card number.

A search typed into the address bar, a Referer, an error message quoting a form value: any log line can
carry what a merchant typed. Every record made in the process — Django's, the development server's and
gunicorn's access log alike — is masked when it is created, before any handler or formatter sees it.
"""

import logging
import logging.config

from portal.masking import mask

_make_record = logging.getLogRecordFactory()
_formatter = logging.Formatter()


def _masked_record(*args, **kwargs) -> logging.LogRecord:
    record = _make_record(*args, **kwargs)
    message = record.getMessage()
    masked = mask(message)
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
