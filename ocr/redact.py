"""Blacking out parts of a photo (the boxes of text that must not be kept, such as a card number)."""

import io

from PIL import Image, ImageDraw, ImageOps

from ocr.reading import Point

MARGIN = 4  # pixels around each box, so no stroke of a digit is left at its edge


def black_out(data: bytes, boxes: list[tuple[Point, ...]]) -> bytes:
    """The photo re-encoded (as JPEG, or PNG if it was one) with every box filled in black. Boxes are in the
    coordinates of the upright photo (EXIF orientation applied), as the reader gives them."""
    with Image.open(io.BytesIO(data)) as original:
        kind = "PNG" if original.format == "PNG" else "JPEG"
        image = ImageOps.exif_transpose(original).convert("RGB")
    draw = ImageDraw.Draw(image)
    for box in boxes:
        xs, ys = [x for x, _ in box], [y for _, y in box]
        draw.polygon(list(box), fill=(0, 0, 0))
        draw.rectangle((min(xs) - MARGIN, min(ys) - MARGIN, max(xs) + MARGIN, max(ys) + MARGIN), fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, format=kind, quality=90)
    return out.getvalue()
