"""Editor image uploads: verified and re-encoded with Pillow so no metadata or active content survives."""

import io
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

# Formats we accept and the format we write them back as.
ACCEPTED = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
FOLDER = "kb"


def reencode_image(upload, *, max_bytes: int, max_pixels: int) -> tuple[bytes, str]:
    """Return (bytes, extension) of a clean copy of an uploaded image, or raise ValidationError."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("The image is %(size)d KB; the limit is %(limit)d KB. Please send a smaller image.")
            % {"size": upload.size // 1024, "limit": max_bytes // 1024}
        )
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            width, height = probe.size
            if width * height > max_pixels:
                raise ValidationError(
                    _("The image is %(w)d×%(h)d pixels, too large to process. Please resize it.")
                    % {"w": width, "h": height}
                )
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            target = ACCEPTED.get(kind)
            if target is None:
                raise ValidationError(_("Only JPEG, PNG, GIF and WebP images are accepted."))
            if target == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            elif target in ("PNG", "WEBP") and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                image = image.convert("RGBA")
            # Pillow copies some metadata from .info when saving (e.g. JPEG comments); keep only transparency.
            image.info = {key: value for key, value in image.info.items() if key == "transparency"}
            out = io.BytesIO()
            # Saving without exif/icc/info drops EXIF and GPS data.
            image.save(out, format=target, optimize=True)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("The image is too large to process. Please resize it.")) from None
    except Exception:
        raise ValidationError(_("This file is not a readable image. Please send a JPEG, PNG or WebP file.")) from None
    return out.getvalue(), EXTENSIONS[target]


def kb_image_store(*, upload) -> str:
    """Store an editor upload and return the public URL to embed in Markdown."""
    from django.urls import reverse

    data, extension = reencode_image(
        upload, max_bytes=settings.KB_IMAGE_MAX_BYTES, max_pixels=settings.KB_IMAGE_MAX_PIXELS
    )
    name = default_storage.save(f"{FOLDER}/{secrets.token_urlsafe(16)}.{extension}", ContentFile(data))
    return reverse("kb_image", kwargs={"name": name.rsplit("/", 1)[-1]})
