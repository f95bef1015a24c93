"""Reading what a merchant photographs (the terminal's screen, a receipt): the photo goes through the same
upload checks as the ticket form, the OCR server reads it (the `ocr` library), the text is masked before
anyone stores, shows or logs it, and the boxes of any card number are blacked out in the copy that is kept.

Used by the photo search page (portal/photo_search.py), `POST /api/v1/search/photo` and, for photos attached
to tickets, by the task that reads them (docs/ocr.md).
"""

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import ocr
from infra.masking import mask_card_numbers
from kb import selectors as kb_selectors
from tickets import uploads
from tickets.models import ActorKind, Attachment, FileKind, PendingUpload, Ticket, TicketEvent
from tickets.search import search_text_append
from tickets.services.events import event_record

logger = logging.getLogger(__name__)

# What a reading keeps of the text: a screen or a receipt, never a page of a book.
MAX_TEXT_CHARS = 2000


@dataclass(frozen=True)
class PhotoText:
    text: str  # masked, one line per line read
    codes: list[str]  # response codes with a page, in the order read
    cards: int  # card numbers read (and masked in `text`)
    redacted: bytes | None  # the photo with every card number's box blacked out, when there was one


def photo_checked(upload) -> bytes:
    """The photo's bytes after the ticket form's checks (type by content, size, pixel count: decompression
    bombs), re-encoded without EXIF; raises ValidationError with the merchant-facing message."""
    errors = uploads.check_limits([upload])
    if errors:
        raise ValidationError(errors)
    processed = uploads.process_upload(upload)
    try:
        if processed.kind != FileKind.IMAGE:
            raise ValidationError(_("Please send a photo or a screenshot (JPEG, PNG, WebP or GIF)."))
        processed.data.seek(0)
        return processed.data.read()
    finally:
        processed.close()


def photo_read(data: bytes) -> PhotoText:
    """Read a checked photo. Raises ocr.Busy when every reading slot is taken and ocr.Unavailable when the
    OCR server is not there or fails; a photo with no text is a PhotoText with empty text."""
    reading = ocr.read(data, socket_path=settings.OCR_SOCKET, timeout=settings.OCR_TIMEOUT_SECONDS)
    lines, boxes, cards = [], [], 0
    for line in reading.lines:
        masked, count = mask_card_numbers(line.text)
        lines.append(masked)
        if count:
            cards += count
            boxes.append(line.box)
    # A number split over two boxes ("6222 0212" | "3456 7890 128") is only seen in the joined text (masking
    # reads across line breaks): then every box still holding digits is blacked out.
    text, across = mask_card_numbers("\n".join(lines))
    if across:
        cards += across
        boxes.extend(line.box for line, masked in zip(reading.lines, lines, strict=True) if _has_digits(masked))
    text = text[:MAX_TEXT_CHARS]
    return PhotoText(
        text=text,
        codes=kb_selectors.codes_in_photo_text(text),
        cards=cards,
        redacted=ocr.black_out(data, boxes) if boxes else None,
    )


def photo_query(read: PhotoText) -> str:
    """What is searched for a photo: its code when one was read (the code's page comes first), else the
    text read, cut to what search takes."""
    return read.codes[0] if read.codes else " ".join(read.text.split())[:200]


def _has_digits(text: str) -> bool:
    return sum(ch.isdigit() for ch in text) >= 4


# --- "Still not solved": the photo carried into the ticket form ---------------------------------------

# The session's photos read and kept for the ticket form: {submission key: {"text": …, "code": …}}; only
# the last few, and only this visitor's: a key seen elsewhere (a shared link, a log) opens nothing.
CARRY_SESSION = "photo_carry"
CARRY_KEPT = 3


def photo_carry_store(*, photo: bytes, name: str, cards: int) -> str:
    """Keep a photo read on the photo search page as the first file of a ticket form not yet sent: a pending
    upload under a new unguessable submission key (returned), like a file the form kept while it had errors,
    so it is sent once and never uploaded twice. `photo` is the blacked-out copy when a card number was
    read (`cards` of them): the original is never stored. Unsent, it goes with the other pending uploads
    after a day (tickets.services.housekeeping)."""
    key = secrets.token_urlsafe(24)
    item = uploads.process_upload(SimpleUploadedFile(name, photo))
    try:
        file_name, thumb_name = uploads.store(item)
        fields = item.row_fields(file_name=file_name, thumbnail_name=thumb_name)
        PendingUpload.objects.create(submission_key=key, **(fields | {"masked_count": fields["masked_count"] + cards}))
    except BaseException:
        uploads.delete_stored(item.stored)
        raise
    finally:
        item.close()
    return key


def carry_remember(session, *, key: str, read: PhotoText) -> None:
    carried = dict(session.get(CARRY_SESSION, {}))
    carried[key] = {"text": read.text, "code": read.codes[0] if read.codes else ""}
    session[CARRY_SESSION] = dict(list(carried.items())[-CARRY_KEPT:])


def carried(session, key: str) -> dict[str, str] | None:
    """What this visitor's photo under `key` read ({"text", "code"}), or None if it is not theirs (only keys
    this session was given are looked up: anything else, forged or another visitor's, finds nothing)."""
    return session.get(CARRY_SESSION, {}).get(key) if key else None


# --- Photos attached to tickets -----------------------------------------------------------------------


def attachment_photo_read(*, attachment_id: int) -> str:
    """Read a photo attached to a ticket (the task worker runs this after the ticket is saved) and store its
    masked text and codes on the attachment and in the ticket's search text; a photo in which a card number
    was read is replaced by its blacked-out copy (the original deleted). Idempotent: a photo already read is
    left alone. Returns what happened, for the task's result: "read", "none", "busy", "unavailable"."""
    attachment = Attachment.objects.filter(pk=attachment_id, kind=FileKind.IMAGE, photo_read_at=None).first()
    if attachment is None:
        return "none"
    with default_storage.open(attachment.file, "rb") as stored:
        data = stored.read()
    try:
        read = photo_read(data)
    except ocr.Busy:
        return "busy"
    except ocr.Unavailable:
        logger.warning("attachment %s: the OCR server could not read it", attachment_id)
        return "unavailable"
    replaced = _redacted_copy(attachment, read.redacted) if read.redacted else None
    with transaction.atomic():
        locked = Attachment.objects.select_for_update().filter(pk=attachment_id, photo_read_at=None).first()
        if locked is None:
            if replaced:
                uploads.delete_stored(replaced.stored)
            return "none"
        old = [locked.file, locked.thumbnail]
        changes: dict = {"photo_text": read.text, "photo_codes": " ".join(read.codes), "photo_read_at": timezone.now()}
        if replaced:
            changes |= replaced.row_fields(file_name=replaced.stored[0], thumbnail_name=replaced.stored[1])
            changes["masked_count"] = locked.masked_count + read.cards
            changes.pop("original_name")
        Attachment.objects.filter(pk=attachment_id).update(**changes)
        ticket = Ticket.objects.select_for_update().only("search_text").get(pk=locked.ticket_id)
        if read.text:
            Ticket.objects.filter(pk=ticket.pk).update(search_text=search_text_append(ticket.search_text, read.text))
        _events_record(ticket, locked, codes=read.codes, hidden=bool(replaced or locked.masked_count))
        if replaced:
            transaction.on_commit(lambda: uploads.delete_stored([name for name in old if name]))
    return "read"


def photo_number(attachment: Attachment) -> int:
    """The photo's place among the ticket's photos, as the console numbers them ("photo 2")."""
    return Attachment.objects.filter(ticket_id=attachment.ticket_id, kind=FileKind.IMAGE, pk__lte=attachment.pk).count()


def _events_record(ticket: Ticket, attachment: Attachment, *, codes: list[str], hidden: bool) -> None:
    """The ticket's history says the photo was read, with its codes ("photo 2 read: code A0"), and that a card
    number was blacked out in it (now, or on the photo search page before it was carried into the form):
    which photo, never the number."""
    number = str(photo_number(attachment))
    system = {"ticket": ticket, "actor": None, "actor_kind": ActorKind.SYSTEM}
    event_record(**system, kind=TicketEvent.Kind.PHOTO_READ, old_value=number, new_value=" ".join(codes)[:64])
    if hidden:
        event_record(**system, kind=TicketEvent.Kind.PHOTO_CARD, new_value=number)


def _redacted_copy(attachment: Attachment, redacted: bytes) -> "uploads.ProcessedFile":
    """The blacked-out photo, checked and stored like any upload (with its thumbnail), under new names."""
    processed = uploads.process_upload(SimpleUploadedFile(attachment.original_name, redacted))
    try:
        uploads.store(processed)
    finally:
        processed.close()
    return processed
