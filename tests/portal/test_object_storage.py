"""Uploads on S3-compatible object storage (S3_BUCKET): moto's standalone server stands in for the bucket,
configured by the same function the settings use, and every file still goes through the access-checked views."""

import gzip
import io
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from storages.backends.s3 import S3Storage

from portal import settings as portal_settings
from tickets.models import Attachment, Ticket
from tickets.services.housekeeping import tickets_cleanup

from ..tickets.conftest import form_data, gzip_file, log_file, photo

pytestmark = pytest.mark.django_db

KB_UPLOAD = "/admin/kb/markdownx/upload/"


@pytest.fixture(autouse=True)
def _media_in_the_bucket(bucket, settings, monkeypatch):
    """STORAGES["default"] built from the S3_* variables by the function the settings use."""
    for name, value in bucket.env.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": portal_settings.object_storage_from_env()}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def filed(client, merchant, bucket) -> Ticket:
    """A merchant, signed in, files a ticket with a photo and a log through the form."""
    client.force_login(merchant)
    response = client.post("/en/tickets/new/", {**form_data(), "photos": [photo()], "logs": [log_file()]})
    assert response.status_code == 302
    client.logout()
    return Ticket.objects.get()


def _url(ticket: Ticket, kind: str, *, thumbnail: bool = False) -> str:
    attachment = ticket.attachments.get(kind=kind)
    return f"/tickets/{ticket.reference}/files/{attachment.pk}/" + ("thumbnail/" if thumbnail else "")


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_storage_is_django_storages_s3_with_private_objects(bucket):
    assert isinstance(storages["default"], S3Storage)
    assert storages["default"].default_acl == "private"


def test_a_merchant_s_photo_and_log_are_stored_in_the_bucket_and_not_on_this_machine(filed, bucket, settings):
    attachments = list(filed.attachments.all())

    stored = {attachment.file for attachment in attachments} | {a.thumbnail for a in attachments if a.thumbnail}
    assert len(attachments) == 2
    assert stored <= bucket.object_keys()
    assert not settings.MEDIA_ROOT.exists()


def test_stored_files_are_readable_by_the_bucket_owner_alone(filed, bucket):
    for attachment in filed.attachments.all():
        grantees = [grant["Grantee"] for grant in bucket.grants(attachment.file)]
        assert [grantee["Type"] for grantee in grantees] == ["CanonicalUser"]


@pytest.mark.parametrize("persona", ["merchant", "agent"])
@pytest.mark.parametrize("kind", ["image", "log"])
def test_the_merchant_and_an_agent_download_the_very_bytes_in_the_bucket(client, request, filed, bucket, persona, kind):
    client.force_login(request.getfixturevalue(persona))
    attachment = filed.attachments.get(kind=kind)

    response = client.get(_url(filed, kind))

    assert response.status_code == 200
    data = _body(response)
    assert data == bucket.read(attachment.file)
    assert int(response["Content-Length"]) == len(data) == attachment.size
    assert response["Content-Type"] == attachment.content_type


@pytest.mark.parametrize("kind", ["image", "log"])
def test_downloads_from_the_bucket_are_attachments_browsers_may_not_sniff(client, merchant, filed, kind):
    client.force_login(merchant)

    response = client.get(_url(filed, kind))

    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert "no-store" in response["Cache-Control"]


def test_the_log_keeps_its_download_name_from_the_bucket(client, merchant, filed):
    client.force_login(merchant)

    response = client.get(_url(filed, "log"))

    assert 'filename="pos.log.txt"' in response["Content-Disposition"]
    assert _body(response).startswith(b"2026-05-01 10:00:01 SIGN ON OK")


def test_the_photo_s_thumbnail_is_shown_inline_from_the_bucket(client, merchant, filed):
    client.force_login(merchant)

    response = client.get(_url(filed, "image", thumbnail=True))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "attachment" not in response.get("Content-Disposition", "")
    assert Image.open(io.BytesIO(_body(response))).format == "JPEG"


@pytest.mark.parametrize("persona", ["outsider", "editor", None])
@pytest.mark.parametrize(("kind", "thumbnail"), [("image", False), ("image", True), ("log", False)])
def test_anyone_else_gets_404_for_files_in_the_bucket(client, request, filed, persona, kind, thumbnail):
    if persona:
        client.force_login(request.getfixturevalue(persona))

    assert client.get(_url(filed, kind, thumbnail=thumbnail)).status_code == 404


def test_an_agent_reads_a_compressed_log_from_the_bucket_in_the_console(client, merchant, agent, bucket):
    client.force_login(merchant)
    lines = b"".join(b"2026-05-01 10:00:%02d TXN %d\n" % (n % 60, n) for n in range(200)) + b"A0 MAC ERROR\n"
    client.post("/en/tickets/new/", {**form_data(), "logs": [gzip_file("pos.log.gz", lines)]})
    ticket = Ticket.objects.get()
    attachment = ticket.attachments.get()
    assert gzip.decompress(bucket.read(attachment.file)) == lines
    client.force_login(agent)

    response = client.get(f"/en/agent/tickets/{ticket.reference}/logs/{attachment.pk}/?q=MAC")

    assert response.status_code == 200
    text = re.sub(r"<[^>]+>", "", response.content.decode())
    assert "A0 MAC ERROR" in text
    assert "TXN 150" not in text


def test_an_editor_s_image_is_stored_in_the_bucket_and_served_to_readers(client, editor, bucket):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, "PNG")
    client.force_login(editor)
    code = client.post(KB_UPLOAD, {"image": SimpleUploadedFile("steps.png", out.getvalue(), "image/png")}).json()
    url = code["image_code"][4:-1]
    client.logout()

    response = client.get(url)

    key = "kb/" + url.rsplit("/", 1)[-1]
    assert bucket.object_keys() == {key}
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert _body(response) == bucket.read(key)
    assert Image.open(io.BytesIO(bucket.read(key))).size == (40, 30)


def test_an_image_name_that_is_not_in_the_bucket_gets_404(client, bucket):
    default_storage.save("kb/elsewhere.txt", ContentFile(b"not an image"))

    assert client.get("/media/kb/missing.png").status_code == 404
    assert client.get("/media/kb/elsewhere.txt").status_code == 404


def test_cleanup_removes_orphans_from_the_bucket_and_keeps_the_ticket_s_files(filed, bucket):
    orphan = default_storage.save(f"tickets/{timezone.now():%Y}/orphan.log", ContentFile(b"left behind"))
    kept = set(Attachment.objects.values_list("file", flat=True))

    _pending, orphans = tickets_cleanup(now=timezone.now() + timedelta(days=2))

    assert orphans == 1
    assert orphan not in bucket.object_keys()
    assert kept <= bucket.object_keys()
