"""Upkeep that runs on a schedule, not in a request."""

from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from tickets import uploads
from tickets.models import Attachment, FindCode, InboundFile, PendingUpload

PENDING_MAX_AGE = timedelta(hours=24)


def tickets_cleanup(*, now: datetime | None = None) -> tuple[int, int]:
    """Delete pending uploads older than 24 h and stored files no row refers to; return both counts. Spent
    "Find my request" codes go too."""
    now = now or timezone.now()
    cutoff = now - PENDING_MAX_AGE
    FindCode.objects.filter(expires_at__lt=cutoff).delete()
    old = list(PendingUpload.objects.filter(created_at__lt=cutoff))
    names = [name for item in old for name in (item.file, item.thumbnail)]
    PendingUpload.objects.filter(pk__in=[item.pk for item in old]).delete()
    uploads.delete_stored(names)
    return len(old), _delete_orphans(cutoff=cutoff)


def _delete_orphans(*, cutoff: datetime) -> int:
    try:
        years, _files = default_storage.listdir("tickets")
    except FileNotFoundError:
        # No upload yet in the media folder. (Object storage has no folders to test with exists(): it
        # lists an empty prefix instead.)
        return 0
    known: set[str] = set()
    # InboundFile: the files of unmatched emails, kept until an agent adds them to a ticket.
    for model in (Attachment, PendingUpload, InboundFile):
        for file_name, thumb_name in model.objects.values_list("file", "thumbnail"):
            known.update((file_name, thumb_name))
    orphans = 0
    for year in years:
        for name in default_storage.listdir(f"tickets/{year}")[1]:
            path = f"tickets/{year}/{name}"
            # A file written in the last day may belong to a request still running.
            if path not in known and default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                orphans += 1
    return orphans
