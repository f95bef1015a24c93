"""A realistic phone photo for upload tests: 12 MP (4000×3000), about 2.6 MB, with sensor noise that JPEG cannot
squeeze away, taken sideways (EXIF orientation 6, shown upright by every viewer) and with a GPS position."""

import io
import random

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 4000, 3000
GPS_LATITUDE = (31.0, 13.0, 50.0)  # a shop in Shanghai


def _scene(seed: int) -> Image.Image:
    rng = random.Random(seed)
    scene = Image.linear_gradient("L").resize((WIDTH, HEIGHT)).convert("RGB")
    tint = Image.new("RGB", (WIDTH, HEIGHT), (150, 120, 90))
    scene = Image.blend(scene, tint, 0.5)
    draw = ImageDraw.Draw(scene)
    for _shape in range(120):  # a counter, a terminal, receipts: edges and flat areas
        x, y = rng.randrange(WIDTH - 500), rng.randrange(HEIGHT - 400)
        box = [x, y, x + rng.randrange(60, 500), y + rng.randrange(40, 400)]
        draw.rectangle(box, fill=tuple(rng.randrange(256) for _ in range(3)))
    return scene.filter(ImageFilter.GaussianBlur(2))


def _noisy(scene: Image.Image, sigma: float) -> Image.Image:
    noise = Image.effect_noise((WIDTH, HEIGHT), sigma).convert("RGB")
    return Image.blend(scene, noise, 0.09)  # a noise of about 5 levels, as a phone sensor in shop light


def phone_photo(*, target_bytes: int = 2_600_000, seed: int = 7) -> bytes:
    """JPEG bytes near `target_bytes`, with EXIF orientation 6 (rotate 90° to show) and a GPS position."""
    photo = _noisy(_scene(seed), sigma=60)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was held upright, the sensor sideways
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", GPS_LATITUDE, "E", (121.0, 28.0, 30.0)
    best = b""
    for quality in range(80, 97):
        out = io.BytesIO()
        photo.save(out, "JPEG", quality=quality, exif=exif)
        best = out.getvalue()
        if len(best) >= target_bytes:
            break
    return best
