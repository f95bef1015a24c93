"""The QR code of a tracking link, drawn on the server as SVG (no script, no outside service)."""

import segno


def qr_data_uri(url: str) -> str:
    """An SVG data URI for an <img>: WeChat offers "save image" on a long press of an image, not of inline SVG."""
    return segno.make(url, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")
