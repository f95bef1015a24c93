"""Turning uploads into attachments, shared by new tickets and replies."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from tickets import tasks, uploads
from tickets.models import Attachment, FileKind, PendingUpload, StoredFileFields, Ticket, TicketMessage

# What a form sends: its files, not yet checked.
type Files = Sequence[UploadedFile]

# The columns an attachment and a pending upload have in common (everything a stored file is).
_SHARED = [f.name for f in StoredFileFields._meta.get_fields() if f.name != "created_at"]


def process_all(files: Files) -> list["uploads.ProcessedFile"]:
    """Check and clean every file before anything is written; all problems are reported together."""
    processed, errors = [], []
    for upload in files:
        try:
            processed.append(uploads.process_upload(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        for item in processed:
            item.close()
        raise ValidationError({"files": errors})
    return processed


def file_refusals(files: Files) -> list[str]:
    """What is wrong with each file itself (type, content), checked even when the limits already refuse
    the lot: the merchant is told every reason at once, not one per attempt."""
    readable = [upload for upload in files if not isinstance(upload, uploads.OversizedUpload)]
    try:
        for item in process_all(readable):
            item.close()
    except ValidationError as error:
        return list(error.messages)
    return []


def attach(ticket: Ticket, message: TicketMessage, processed: list, stored: list[str]) -> None:
    """Store each processed file and its row; `stored` collects the names so a failure can remove them."""
    for item in processed:
        try:
            file_name, thumb_name = uploads.store(item)
        finally:
            stored.extend(item.stored)
        attachment = Attachment.objects.create(
            ticket=ticket, message=message, **item.row_fields(file_name=file_name, thumbnail_name=thumb_name)
        )
        if attachment.kind == FileKind.IMAGE:
            tasks.attachment_read_enqueue(attachment.pk)


def adopt_pending(ticket: Ticket, message: TicketMessage, pending: list[PendingUpload]) -> None:
    for upload in pending:
        attachment = Attachment.objects.create(
            ticket=ticket, message=message, **{name: getattr(upload, name) for name in _SHARED}
        )
        if attachment.kind == FileKind.IMAGE:
            tasks.attachment_read_enqueue(attachment.pk)
    PendingUpload.objects.filter(pk__in=[p.pk for p in pending]).delete()


@contextmanager
def storing(processed: list) -> Iterator[list[str]]:
    """Yield the list `attach` fills with stored names; if anything fails, those files are removed again
    (the transaction takes the rows with it). The processed uploads are closed either way."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        uploads.delete_stored(stored)
        raise
    finally:
        for item in processed:
            item.close()
