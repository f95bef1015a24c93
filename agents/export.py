"""The queue as CSV: the tickets' own fields, never a message or an internal note, safe to open in a spreadsheet."""

import csv

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.masking import mask

# A cell a spreadsheet would run as a formula (CSV injection) is prefixed so it stays text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    text = mask(str(value))
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _header() -> list[str]:
    return [
        _("Reference"),
        _("Status"),
        _("Priority"),
        _("Assignee"),
        _("Created"),
        _("Updated"),
        _("Next due"),
        _("First response due"),
        _("Resolution due"),
        _("MID"),
        _("TID"),
        _("Acquirer"),
        _("Terminal model"),
        _("Response code"),
        _("Screen text"),
        _("Source article"),
    ]


def _row(ticket) -> list[str]:
    assignee = ticket.assignee.get_username() if ticket.assignee else ""
    values = [
        ticket.reference,
        ticket.get_status_display(),
        ticket.get_priority_display(),
        assignee,
        ticket.created_at,
        ticket.updated_at,
        ticket.due,
        ticket.first_response_due,
        ticket.resolution_due,
        ticket.merchant_id,
        ticket.terminal_id,
        ticket.acquirer,
        ticket.terminal_model,
        ticket.response_code,
        ticket.screen_text,
        ticket.article_slug,
    ]
    return [_cell(value) for value in values]


def _rows(tickets):
    writer = csv.writer(_Echo())
    # A byte-order mark so spreadsheet programs read the Chinese text as UTF-8.
    yield "\ufeff" + writer.writerow(_header())
    for ticket in tickets.iterator(chunk_size=500):
        yield writer.writerow(_row(ticket))


def queue_csv_response(tickets) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_rows(tickets), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="tickets-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
