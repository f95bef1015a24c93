"""Checking, cleaning and storing what merchants attach: photos/screenshots and terminal logs.

Every file is identified by its content (python-magic), never by its name. Images are re-encoded by Pillow
(kb.images.reencode_image), which drops EXIF/GPS and anything hidden after the picture. Logs are decoded,
checked, card numbers masked, and written back as UTF-8 text, as a stream (tickets.logstream); .gz and .zip
logs are unpacked the same way, member by member, and packed again. Anything else is refused with a message
naming the file.
"""

import contextlib
import functools
import gzip
import hashlib
import io
import logging
import secrets
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from PIL import Image

from infra.masking import mask_card_numbers
from kb.images import CONTENT_TYPES as IMAGE_CONTENT_TYPES
from kb.images import reencode_image
from tickets.logshape import NotALog
from tickets.logstream import (
    Damaged,
    LogSource,
    TooLarge,
    decode_log,
    has_wide_bom,
    inspect_log,
    write_masked_log,
)
from tickets.markup import NEVER_TEXT, SNIFF_BYTES
from tickets.models import FileKind

logger = logging.getLogger(__name__)

THUMBNAIL_SIZE = (320, 320)
CHUNK = 64 * 1024
TEXT_TYPES = {"text/plain", "text/csv", "text/x-log", "application/json", "text/x-c", "text/x-c++"}
GZIP_TYPES = {"application/gzip", "application/x-gzip"}
ZIP_TYPES = {"application/zip", "application/x-zip-compressed"}
ARCHIVE_TYPES = (
    GZIP_TYPES
    | ZIP_TYPES
    | {
        "application/x-tar",
        "application/x-7z-compressed",
        "application/x-rar",
        "application/vnd.rar",
        "application/x-bzip2",
        "application/x-xz",
        "application/zstd",
        "application/x-lzma",
    }
)
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
# Control characters other than tab, newlines, form feed and ESC (terminal colour codes) mean "not a log".
_CONTROL = set(range(32)) - {9, 10, 12, 13, 27}
LOG_CONTENT_TYPE = "text/plain; charset=utf-8"


@dataclass
class ProcessedFile:
    """A checked and cleaned upload, held in a temporary file until it is stored."""

    kind: str
    original_name: str
    extension: str
    content_type: str
    data: tempfile.SpooledTemporaryFile
    size: int
    sha256: str
    masked_count: int = 0
    thumbnail: bytes | None = None
    stored: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.data.close()

    def row_fields(self, *, file_name: str, thumbnail_name: str) -> dict:
        """What an Attachment or a PendingUpload row records about this file once it is stored."""
        return {
            "kind": self.kind,
            "original_name": self.original_name,
            "file": file_name,
            "thumbnail": thumbnail_name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "masked_count": self.masked_count,
        }


def _spool():
    # Closed by ProcessedFile.close() once the file is stored; it must outlive the function that fills it.
    return tempfile.SpooledTemporaryFile(max_size=1024 * 1024)


def safe_name(name: str) -> str:
    """A display/download name without folders, control characters, card numbers or anything a file
    system dislikes."""
    name = PureWindowsPath(PurePosixPath(name or "").name).name
    # Masked before the control characters go: zero-width characters can hide a card number's groups.
    name = mask_card_numbers(name)[0]
    name = unicodedata.normalize("NFC", "".join(c for c in name if unicodedata.category(c)[0] != "C"))
    try:
        name = get_valid_filename(name)
    except Exception:  # Django refuses names like "." or ".."; any name of ours is fine then
        name = ""
    # And again once cleaned: cleaning drops characters, which can glue "4313～4312～…" into one number.
    name = mask_card_numbers(name)[0]
    if len(name) > 100:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 100 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:100]
    return name or "file"


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def check_limits(uploads, *, already_count: int = 0, already_bytes: int = 0) -> list[str]:
    """Errors for the count/size limits, found from the sizes alone before any file is read."""
    errors = []
    total_files = already_count + len(uploads)
    if total_files > settings.TICKET_MAX_FILES:
        errors.append(
            _("You can attach at most %(max)d files; you chose %(count)d. Please remove %(extra)d.")
            % {"max": settings.TICKET_MAX_FILES, "count": total_files, "extra": total_files - settings.TICKET_MAX_FILES}
        )
    for upload in uploads:
        if upload.size > settings.TICKET_MAX_FILE_BYTES:
            errors.append(
                _("“%(name)s” is %(size)s MB; each file may be at most %(limit)s MB. Please send a smaller file.")
                % {
                    "name": safe_name(upload.name),
                    "size": _mb(upload.size),
                    "limit": _mb(settings.TICKET_MAX_FILE_BYTES),
                }
            )
    total = already_bytes + sum(upload.size for upload in uploads)
    if total > settings.TICKET_MAX_TOTAL_BYTES:
        errors.append(
            _("The files add up to %(size)s MB; at most %(limit)s MB can be sent at once. Please remove some.")
            % {"size": _mb(total), "limit": _mb(settings.TICKET_MAX_TOTAL_BYTES)}
        )
    return errors


def process_upload(upload) -> ProcessedFile:
    """Identify, check and clean one upload; raise ValidationError (naming the file) if it is refused."""
    name = safe_name(upload.name)
    if not upload.size:
        raise ValidationError(_("“%(name)s” is empty. Please choose the file again.") % {"name": name})
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    mime = magic.from_buffer(head, mime=True)
    if mime in IMAGE_TYPES:
        return _process_image(upload, name)
    if mime in GZIP_TYPES:
        return _process_gzip(upload, name)
    if mime in ZIP_TYPES:
        return _process_zip(upload, name)
    if mime in TEXT_TYPES or has_wide_bom(head) or (mime not in NEVER_TEXT and _looks_like_text(head)):
        return _process_text(upload, name)
    raise ValidationError(
        _(
            "“%(name)s” is not a file we can accept (it is %(kind)s). Send photos or screenshots "
            "(JPEG, PNG, WebP, GIF) and terminal logs (text, .gz or .zip)."
        )
        % {"name": name, "kind": plain_kind(mime)}
    )


def plain_kind(mime: str) -> str:
    """What a refused file is, in the merchant's words: never a MIME type such as application/octet-stream."""
    if mime in ("image/heic", "image/heif"):
        return _("an iPhone HEIC photo: send a screenshot of it, or set the camera to “Most compatible”")
    if mime == "application/pdf":
        return _("a PDF document")
    if "officedocument" in mime or mime in ("application/msword", "application/vnd.ms-excel", "application/rtf"):
        return _("an office document")
    family = mime.partition("/")[0]
    if family == "video":
        return _("a video")
    if family == "audio":
        return _("a sound recording")
    if family == "image":
        return _("a kind of picture we cannot open")
    if mime in ("application/x-rar", "application/x-7z-compressed", "application/x-tar", "application/x-bzip2"):
        return _("an archive other than .zip or .gz")
    if "executable" in mime or mime in ("application/x-dosexec", "application/x-mach-binary"):
        return _("a program")
    return _("a kind of file we cannot open")


# --- Images -----------------------------------------------------------------------------------


def _process_image(upload, name: str) -> ProcessedFile:
    try:
        data, extension = reencode_image(
            upload, max_bytes=settings.TICKET_MAX_FILE_BYTES, max_pixels=settings.TICKET_MAX_IMAGE_PIXELS
        )
    except ValidationError as error:
        raise ValidationError(f"“{name}”: {' '.join(error.messages)}") from None
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        image.save(out, format=image.format or "PNG")
    spool = _spool()
    spool.write(data)
    return ProcessedFile(
        kind=FileKind.IMAGE,
        original_name=_with_extension(name, extension),
        extension=extension,
        content_type=IMAGE_CONTENT_TYPES[extension],
        data=spool,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        thumbnail=out.getvalue(),
    )


def _with_extension(name: str, extension: str) -> str:
    # A GIF becomes a PNG: the download name should say what the file now is.
    stem, dot, ext = name.rpartition(".")
    if dot and ext.lower() in {"jpg", "jpeg", "png", "webp", "gif"}:
        if ext.lower() in {extension, "jpeg" if extension == "jpg" else ""}:
            return name
        return f"{stem}.{extension}"
    return f"{name}.{extension}"


# --- Logs -------------------------------------------------------------------------------------


def _looks_like_text(head: bytes) -> bool:
    """libmagic names some short logs after exotic formats (a line starting "PA" is HP-GL to it); readable
    text without control characters is a log all the same."""
    # The sniffed head may end inside a multi-byte character.
    text = next((t for cut in range(4) if (t := decode_log(head[: len(head) - cut])) is not None), None)
    if not text:
        return False
    return not any(ord(c) in _CONTROL for c in text)


def _not_text(name: str, member: str | None) -> ValidationError:
    if member:
        return ValidationError(
            _("“%(name)s” contains “%(member)s”, which is not a text log. Only text logs are accepted inside archives.")
            % {"name": name, "member": member}
        )
    return ValidationError(
        _(
            "“%(name)s” does not contain readable text (UTF-8 or GB18030). "
            "Please send the log as the terminal exported it."
        )
        % {"name": name}
    )


def _markup(name: str, member: str | None) -> ValidationError:
    shown = f"“{name}” (“{member}”)" if member else f"“{name}”"
    return ValidationError(
        _(
            "%(file)s contains a web page, markup or a script, not a terminal log. "
            "Please send the log as the terminal exported it."
        )
        % {"file": shown}
    )


def _not_a_log(name: str, member: str | None, why: NotALog) -> ValidationError:
    shown = f"“{name}” (“{member}”)" if member else f"“{name}”"
    values = {"file": shown, "lines": why.lines, "of": why.of}
    if why.kind == "markup":
        message = _(
            "%(file)s was not accepted: %(lines)s of its %(of)s lines are web page markup (HTML tags), "
            "not lines of a terminal log. Please send the log as the terminal exported it."
        )
    else:
        message = _(
            "%(file)s was not accepted: %(lines)s of its %(of)s lines are program code (a script), "
            "not lines of a terminal log. Please send the log as the terminal exported it."
        )
    return ValidationError(message % values)


def _write_log(source: LogSource, out, name: str, member: str | None = None) -> tuple[int, int]:
    """Check one log (a member of an archive if `member` names it) and write it masked to out; return how
    many card numbers were masked and how many bytes it had. What is refused first is what a whole read
    would find first: too large, another archive inside, not text, markup or a script."""
    facts = inspect_log(source)
    if member is not None and magic.from_buffer(facts.head, mime=True) in ARCHIVE_TYPES:
        raise _nested(name, member)
    if facts.encoding is None:
        raise _not_text(name, member)
    masked = write_masked_log(source, facts.encoding, out)
    if masked is None:
        raise _markup(name, member)
    if isinstance(masked, NotALog):
        raise _not_a_log(name, member, masked)
    return masked, facts.size


@contextlib.contextmanager
def _filled_spool():
    # A refused log leaves nothing behind: the spool (and any temporary file under it) goes with the error.
    spool = _spool()
    try:
        yield spool
    except BaseException:
        spool.close()
        raise


def _from_start(upload):
    upload.seek(0)
    return upload


def text_name(name: str) -> str:
    """Logs are stored and served as .txt, so an agent's computer opens them in a text viewer whatever
    name the merchant's file had ("pos.vbs" becomes "pos.vbs.txt")."""
    return name if name.lower().endswith(".txt") else f"{name}.txt"


def _finish(kind_name: str, name: str, extension: str, content_type: str, spool, masked: int) -> ProcessedFile:
    spool.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := spool.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return ProcessedFile(
        kind=kind_name,
        original_name=name,
        extension=extension,
        content_type=content_type,
        data=spool,
        size=size,
        sha256=digest.hexdigest(),
        masked_count=masked,
    )


def _process_text(upload, name: str) -> ProcessedFile:
    source = LogSource(lambda: contextlib.nullcontext(_from_start(upload)), limit=settings.TICKET_MAX_FILE_BYTES)
    with _filled_spool() as spool:
        try:
            count, _size = _write_log(source, spool, name)
        except TooLarge:
            raise ValidationError(
                _("“%(name)s” is larger than %(limit)s MB. Please send a smaller file.")
                % {"name": name, "limit": _mb(settings.TICKET_MAX_FILE_BYTES)}
            ) from None
    return _finish(FileKind.LOG, text_name(name), "txt", LOG_CONTENT_TYPE, spool, count)


def _too_big_unpacked(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” unpacks to more than %(limit)s MB. Please send only the relevant logs.")
        % {"name": name, "limit": _mb(settings.TICKET_MAX_UNPACKED_BYTES)}
    )


def _damaged(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is damaged and cannot be opened. Please create the archive again.") % {"name": name}
    )


def _nested(name: str, member: str) -> ValidationError:
    return ValidationError(
        _(
            "“%(name)s” contains another archive (“%(member)s”). Please send the log files themselves, "
            "or one .zip of them."
        )
        % {"name": name, "member": member}
    )


@contextlib.contextmanager
def _unpacking(name: str):
    try:
        yield
    except TooLarge:
        raise _too_big_unpacked(name) from None
    except Damaged:
        raise _damaged(name) from None


def _process_gzip(upload, name: str) -> ProcessedFile:
    source = LogSource(
        lambda: gzip.GzipFile(fileobj=_from_start(upload), mode="rb"),
        limit=settings.TICKET_MAX_UNPACKED_BYTES,
        damage=(OSError, EOFError, zlib.error),
    )
    inner = safe_name(name[:-3] if name.lower().endswith(".gz") else name)
    # mtime=0 and no file name in the header: nothing about the merchant's machine is kept.
    with (
        _filled_spool() as spool,
        _unpacking(name),
        gzip.GzipFile(filename="", mode="wb", fileobj=spool, mtime=0) as out,
    ):
        count, _size = _write_log(source, out, name, inner)
    # Unpacking keeps the name without ".gz", which must then end in .txt as well.
    return _finish(FileKind.LOG, f"{text_name(inner)}.gz", "gz", "application/gzip", spool, count)


def _unsafe_member(member: str) -> bool:
    if "\x00" in member or member.startswith(("/", "\\")) or (len(member) > 1 and member[1] == ":"):
        return True
    return any(part == ".." for part in member.replace("\\", "/").split("/"))


def _process_zip(upload, name: str) -> ProcessedFile:
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise _damaged(name) from None
    # Everything below is decided from the directory before a single member is read.
    if len(members) > settings.TICKET_MAX_ARCHIVE_MEMBERS:
        raise ValidationError(
            _("“%(name)s” contains %(count)d files; at most %(max)d are accepted. Please send only the relevant logs.")
            % {"name": name, "count": len(members), "max": settings.TICKET_MAX_ARCHIVE_MEMBERS}
        )
    for info in members:
        if info.flag_bits & 0x1:
            raise ValidationError(
                _("“%(name)s” is protected by a password. Please send it without a password.") % {"name": name}
            )
        if _unsafe_member(info.filename) or stat.S_ISLNK(info.external_attr >> 16):
            raise ValidationError(
                _(
                    "“%(name)s” contains a file with an unsafe path (“%(member)s”). Please make the archive "
                    "again from the log files themselves."
                )
                % {"name": name, "member": safe_name(info.filename)}
            )
    if sum(info.file_size for info in members) > settings.TICKET_MAX_UNPACKED_BYTES:
        raise _too_big_unpacked(name)

    with archive, _filled_spool() as spool, _unpacking(name):
        masked = _repack(archive, members, spool, name)
    return _finish(FileKind.LOG, name, "zip", "application/zip", spool, masked)


_ZIP_DAMAGE = (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError)


def _repack(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], spool, name: str) -> int:
    """Write every member, masked, to a new zip in spool; return how many card numbers were masked."""
    masked = 0
    budget = settings.TICKET_MAX_UNPACKED_BYTES
    used_names: set[str] = set()
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for info in members:
            if info.is_dir():
                continue
            member = safe_name(info.filename)
            source = LogSource(functools.partial(archive.open, info), limit=budget, damage=_ZIP_DAMAGE)
            target = zipfile.ZipInfo(_unique(text_name(member), used_names), date_time=info.date_time)
            target.compress_type = zipfile.ZIP_DEFLATED
            with out.open(target, "w") as entry:
                count, size = _write_log(source, entry, name, member)
            masked += count
            budget -= size
    return masked


def _unique(name: str, used: set[str]) -> str:
    # Folders are flattened, so a/pos.log and b/pos.log would collide.
    candidate, n = name, 1
    while candidate in used:
        n += 1
        stem, dot, ext = name.rpartition(".")
        candidate = f"{stem}-{n}.{ext}" if dot else f"{name}-{n}"
    used.add(candidate)
    return candidate


# --- Storage ----------------------------------------------------------------------------------


def store(processed: ProcessedFile) -> tuple[str, str]:
    """Write a processed file (and its thumbnail) under a random name; return the stored names.

    Names written are also recorded on `processed.stored`, so a caller can delete them if a later step fails.
    """
    folder = f"tickets/{timezone.now():%Y}"
    stem = secrets.token_urlsafe(18)
    processed.data.seek(0)
    file_name = _save_whole(f"{folder}/{stem}.{processed.extension}", File(processed.data))
    processed.stored.append(file_name)
    thumb_name = ""
    if processed.thumbnail is not None:
        thumb_name = _save_whole(f"{folder}/{stem}.thumb.{processed.extension}", File(io.BytesIO(processed.thumbnail)))
        processed.stored.append(thumb_name)
    return file_name, thumb_name


def _save_whole(name: str, content: File) -> str:
    """Save, or leave nothing behind: a full or read-only disk fails after the file was created, and the
    storage returns no name for it (a 0-byte file per attempt would pile up). The name is random, so the one
    asked for is the one written; it is deleted again before the error goes on to the caller."""
    name = default_storage.get_available_name(name)
    try:
        return default_storage.save(name, content)
    except OSError as error:
        logger.error("Could not store an upload (%s): %s", name, error)
        delete_stored([name])
        raise


def delete_stored(names) -> None:
    for name in names:
        if name:
            # Already gone is fine; the cleanup command sweeps anything left behind.
            with contextlib.suppress(OSError):
                default_storage.delete(name)


# --- Request parsing --------------------------------------------------------------------------


class OversizedUpload(UploadedFile):
    """Stands in for a file that went past the limits while arriving; only its name and size are kept."""

    def __init__(self, name: str, size: int, content_type: str):
        super().__init__(io.BytesIO(b""), name=name, content_type=content_type, size=size)


class LimitUploadHandler(FileUploadHandler):
    """Stops keeping a file's data once it passes the per-file limit or the request passes the total limit.

    Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE stream to a temporary file; without this a 1 GB "photo" would
    still be written to disk whole before the size check could refuse it. The size keeps being counted so
    the merchant is told how large the file really was.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.total = 0
        self.received = 0
        self.dropping = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.dropping = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        self.total += len(raw_data)
        if self.received > settings.TICKET_MAX_FILE_BYTES or self.total > settings.TICKET_MAX_TOTAL_BYTES:
            self.dropping = True
        # Returning None keeps the chunk from the handlers that would write it to disk.
        return None if self.dropping else raw_data

    def file_complete(self, file_size):
        if self.dropping:
            return OversizedUpload(self.file_name, self.received, self.content_type)
        return None
