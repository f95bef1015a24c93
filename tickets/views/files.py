"""A ticket's files for the merchant who holds its link: downloads never shown inline but for safe image types."""

import logging

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from tickets import selectors
from tickets.access import attachment_for
from tickets.formpage import SUBMISSION_KEY

logger = logging.getLogger(__name__)

INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp"}


# --- Files --------------------------------------------------------------------------------------


def _file_response(name: str, *, content_type: str, download_name: str | None) -> FileResponse:
    if not name or not default_storage.exists(name):
        raise Http404
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=download_name is not None,
        filename=download_name or "",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def attachment_download(request: HttpRequest, key: str, pk: int) -> FileResponse:
    attachment = attachment_for(user=request.user, key=key, pk=pk)
    return _file_response(attachment.file, content_type=attachment.content_type, download_name=attachment.original_name)


@require_GET
def attachment_thumbnail(request: HttpRequest, key: str, pk: int) -> FileResponse:
    attachment = attachment_for(user=request.user, key=key, pk=pk)
    # Only our own re-encoded image types are ever shown inline.
    if attachment.kind != "image" or attachment.content_type not in INLINE_IMAGE_TYPES or not attachment.thumbnail:
        raise Http404
    return _file_response(attachment.thumbnail, content_type=attachment.content_type, download_name=None)


@require_GET
def pending_thumbnail(request: HttpRequest, submission_key: str, pk: int) -> FileResponse:
    """Preview of a photo already accepted for a form that is being filled in; the key is the secret."""
    uploads = selectors.pending_uploads(submission_key) if SUBMISSION_KEY.match(submission_key) else []
    upload = next((u for u in uploads if u.pk == pk), None)
    if upload is None or upload.content_type not in INLINE_IMAGE_TYPES or not upload.thumbnail:
        raise Http404
    return _file_response(upload.thumbnail, content_type=upload.content_type, download_name=None)
