"""Terminal QR stickers: made one by one or for a whole fleet from a CSV file, revoked when lost, counted
when scanned. Every change is recorded (infra.AuditEvent)."""

import csv
import io
import secrets
from dataclasses import dataclass, field

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from infra.audit import Action, audit_record, audited_revoke, values_of
from tickets.access import Actor
from tickets.forms import TicketForm
from tickets.models import TerminalSticker

FIELDS = ("merchant_id", "terminal_id", "serial_number", "terminal_model", "model_slug", "acquirer")
AUDITED = (*FIELDS, "revoked_at")
CSV_MAX_BYTES = 1024 * 1024
CSV_MAX_ROWS = 5000
# Short enough for a small QR code; 10 characters from 64 are about 60 bits, far beyond guessing by scanning.
TOKEN_LENGTH = 10


class StickerForm(forms.Form):
    """A terminal's identity, checked exactly as the ticket form checks it."""

    merchant_id = TicketForm.base_fields["merchant_id"]
    terminal_id = TicketForm.base_fields["terminal_id"]
    serial_number = TicketForm.base_fields["serial_number"]
    terminal_model = TicketForm.base_fields["terminal_model"]
    model_slug = forms.SlugField(max_length=60, required=False)
    acquirer = TicketForm.base_fields["acquirer"]

    clean_merchant_id = TicketForm.clean_merchant_id
    clean_terminal_id = TicketForm.clean_terminal_id
    clean_serial_number = TicketForm.clean_serial_number


def _checked(values: dict) -> dict:
    form = StickerForm(values)
    if not form.is_valid():
        raise ValidationError({name: list(messages) for name, messages in form.errors.items()})
    return {name: form.cleaned_data.get(name) or "" for name in FIELDS}


def _token() -> str:
    return secrets.token_urlsafe(TOKEN_LENGTH)[:TOKEN_LENGTH]


def sticker_create(*, actor: Actor | None, values: dict) -> TerminalSticker:
    """One sticker for a terminal that has no working one."""
    checked = _checked(values)
    try:
        with transaction.atomic():
            sticker = TerminalSticker.objects.create(
                token=_token(), created_by=actor if isinstance(actor, User) and actor.pk else None, **checked
            )
            audit_record(actor=actor, action=Action.CREATED, instance=sticker, after=values_of(sticker, AUDITED))
    except IntegrityError:
        raise ValidationError(
            {"terminal_id": [_("This terminal already has a working sticker; revoke it first to print a new one.")]}
        ) from None
    return sticker


def sticker_revoke(*, actor: Actor | None, sticker: TerminalSticker) -> TerminalSticker:
    """The sticker's link stops working at once (a lost or stolen sticker), with a page that says so."""
    return audited_revoke(actor=actor, instance=sticker, audited=AUDITED)


def sticker_scanned(*, sticker: TerminalSticker) -> None:
    TerminalSticker.objects.filter(pk=sticker.pk).update(scans=F("scans") + 1, last_scanned_at=timezone.now())


@dataclass
class ImportResult:
    created: list[TerminalSticker] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _decoded(data: bytes) -> str:
    # Excel in China saves CSV as GBK (GB18030 covers it); everything else is UTF-8, often with a BOM.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is neither UTF-8 nor GBK text. Save it from the spreadsheet as CSV."))


def _line(number: int, message: str) -> str:
    return _("Line %(line)d: %(message)s") % {"line": number, "message": message}


def stickers_import(*, actor: Actor | None, data: bytes) -> ImportResult:
    """A whole fleet from a CSV file with a header row naming the columns (merchant_id and terminal_id at
    least). All or nothing: a file with any bad row makes no sticker, and every bad row is listed."""
    if len(data) > CSV_MAX_BYTES:
        raise ValidationError(_("The file is larger than 1 MB. Split the fleet into several files."))
    reader = csv.DictReader(io.StringIO(_decoded(data)))
    missing = {"merchant_id", "terminal_id"} - {name.strip() for name in reader.fieldnames or []}
    if missing:
        raise ValidationError(
            _("The first row must name the columns; missing: %(names)s.") % {"names": ", ".join(sorted(missing))}
        )
    rows = list(reader)
    if len(rows) > CSV_MAX_ROWS:
        raise ValidationError(_("At most %(max)d terminals per file.") % {"max": CSV_MAX_ROWS})
    result = ImportResult()
    checked, seen = [], set()
    for line, row in enumerate(rows, start=2):
        values = {(name or "").strip(): (value or "").strip() for name, value in row.items() if name}
        try:
            one = _checked(values)
        except ValidationError as error:
            result.errors += [_line(line, m) for messages in error.message_dict.values() for m in messages]
            continue
        key = (one["merchant_id"], one["terminal_id"])
        if key in seen:
            result.errors.append(_line(line, _("this terminal is listed twice.")))
        seen.add(key)
        checked.append((line, one))
    live = set(TerminalSticker.objects.filter(revoked_at__isnull=True).values_list("merchant_id", "terminal_id"))
    for line, one in checked:
        if (one["merchant_id"], one["terminal_id"]) in live:
            result.errors.append(_line(line, _("this terminal already has a working sticker.")))
    if result.errors:
        return result
    with transaction.atomic():
        for _number, one in checked:
            result.created.append(sticker_create(actor=actor, values=one))
    return result
