"""The queue as CSV: the tickets' own fields, never a message or an internal note, safe to open in a spreadsheet."""

import csv

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from infra.masking import mask
from tickets.models import Ticket, agent_status_choices

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
    # Masked at intake already, and every cell again here: a sheet leaves the portal.
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


# Read as plain values: no model instances, and each label translated once per export, not once per row.
COLUMNS = (
    "reference",
    "status",
    "priority",
    "assignee__username",
    "created_at",
    "updated_at",
    "next_due",
    "first_response_due",
    "resolution_due",
    "merchant_id",
    "terminal_id",
    "acquirer",
    "terminal_model",
    "response_code",
    "screen_text",
    "article_slug",
)


def _rows(tickets):
    labels = {"status": dict(agent_status_choices()), "priority": dict(Ticket.Priority.choices)}
    labels = {name: {value: str(label) for value, label in choices.items()} for name, choices in labels.items()}
    writer = csv.writer(_Echo())
    # A byte-order mark so spreadsheet programs read the Chinese text as UTF-8.
    yield "\ufeff" + writer.writerow(_header())
    for row in tickets.values(*COLUMNS).iterator(chunk_size=500):
        cells = [_cell(labels[name].get(value, value) if name in labels else value) for name, value in row.items()]
        yield writer.writerow(cells)


def queue_csv_response(tickets) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_rows(tickets), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="tickets-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
