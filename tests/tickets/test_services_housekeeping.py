"""tickets/services/housekeeping.py and its command: forgotten form uploads and orphan files go after 24 hours."""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from tickets import services
from tickets.models import PendingUpload

from .conftest import log_file

pytestmark = pytest.mark.django_db


def test_it_deletes_pending_uploads_older_than_a_day(settings):
    services.pending_upload_store(submission_key="old" + "x" * 30, files=[log_file()])
    services.pending_upload_store(submission_key="new" + "x" * 30, files=[log_file()])
    old = PendingUpload.objects.get(submission_key__startswith="old")
    PendingUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    call_command("tickets_cleanup", stdout=io.StringIO())
    assert list(PendingUpload.objects.values_list("submission_key", flat=True)) == ["new" + "x" * 30]
    assert not default_storage.exists(old.file)


def test_it_deletes_stored_files_nothing_refers_to_once_they_are_old(settings, make_ticket):
    ticket, _token = make_ticket(files=[log_file()])
    orphan = default_storage.save("tickets/2026/orphan.log", ContentFile(b"x"))
    fresh = default_storage.save("tickets/2026/fresh.log", ContentFile(b"x"))
    day_ago = (timezone.now() - timedelta(hours=30)).timestamp()
    os.utime(Path(settings.MEDIA_ROOT) / orphan, (day_ago, day_ago))
    os.utime(Path(settings.MEDIA_ROOT) / ticket.attachments.get().file, (day_ago, day_ago))
    services.tickets_cleanup()
    assert not default_storage.exists(orphan)
    assert default_storage.exists(fresh)  # may belong to a request still running
    assert default_storage.exists(ticket.attachments.get().file)


def test_it_finds_nothing_to_do_before_the_first_upload(settings):
    assert not (Path(settings.MEDIA_ROOT) / "tickets").exists()

    assert services.tickets_cleanup() == (0, 0)
