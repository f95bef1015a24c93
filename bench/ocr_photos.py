"""Draws realistic test photos of POS terminal screens and receipt slips from the response-code table
(kb/content/response_codes.yaml), each with the code and the page it should lead to.

A screen is drawn at an LCD's own resolution with a small font and scaled up with hard pixel edges (LCD greys
or a blue backlight, an inverted title bar), set in a dark terminal body; a receipt is thermal paper with
faint print. Each is then photographed: tilted in perspective, rotated up to ±15°, blurred, with glare and
sensor noise, at a phone's resolution, saved as JPEG. Seeded, so every run draws the same set.

    python bench/ocr_photos.py [--count 60] [--out var/bench/ocr]     (writes the photos and expected.tsv)
"""

import argparse
import io
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
CODES_FILE = ROOT / "kb" / "content" / "response_codes.yaml"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
PHONE_SIZES = [(4032, 3024), (3024, 4032), (2560, 1920), (1920, 1440), (1600, 1200)]
# A test card number (Luhn-valid, UnionPay's 62 prefix) for the receipts that print one in full.
TEST_CARD = "6222021234567890128"


@dataclass(frozen=True)
class Sample:
    name: str
    kind: str  # "screen" or "receipt"
    code: str
    text: str  # what is drawn, line by line
    card: bool = False


def codes() -> list[dict]:
    return [item for item in yaml.safe_load(CODES_FILE.read_text(encoding="utf-8")) if item.get("screen_texts")]


def _screen_lines(item: dict, rng: random.Random) -> list[str]:
    chinese = [text for text in item["screen_texts"] if not text.isascii()] or item["screen_texts"]
    code, said = item["code"], rng.choice(chinese)
    shown = "AO" if code == "A0" and rng.random() < 0.5 else code  # LCD fonts draw 0 and O alike
    style = rng.randrange(3)
    if style == 0:
        return ["交易失败", f"{shown} {said}", "请按确认键返回"]
    if style == 1:
        return ["消费", said, f"应答码:{shown}", "[确认]"]
    return ["交易失败", f"返回码:{shown}", said]


def _receipt_lines(item: dict, rng: random.Random, *, card: bool) -> list[str]:
    said = rng.choice([text for text in item["screen_texts"] if not text.isascii()] or item["screen_texts"])
    number = TEST_CARD if card else "622202******0128"
    return [
        "POS 签购单",
        "商户名称:  便民超市",
        f"终端编号: {rng.randrange(10**7, 10**8)}",
        f"卡号: {number}",
        "交易类型: 消费",
        f"日期/时间: 2026/12/{rng.randrange(1, 29):02d} {rng.randrange(8, 22):02d}:{rng.randrange(60):02d}",
        f"RESP:{item['code']}  {said}",
        f"金额: RMB {rng.randrange(5, 900)}.00",
        "交易失败 请保留此凭条",
    ]


def samples(count: int, *, seed: int = 25) -> list[Sample]:
    rng = random.Random(seed)
    table = codes()
    drawn = []
    for index in range(count):
        item = table[index % len(table)]
        kind = "screen" if index % 3 != 2 else "receipt"
        card = kind == "receipt" and index % 6 == 5
        lines = _screen_lines(item, rng) if kind == "screen" else _receipt_lines(item, rng, card=card)
        drawn.append(Sample(f"{index:03d}-{kind}-{item['code']}", kind, item["code"], "\n".join(lines), card))
    return drawn


# --- Drawing ------------------------------------------------------------------------------------


def _screen(sample: Sample, rng: random.Random) -> Image.Image:
    width, height, scale = 240, 160, 4
    blue = rng.random() < 0.3
    background = (40, 70, 160) if blue else tuple(rng.randrange(150, 190) + d for d in (0, 12, -8))
    ink = (230, 235, 240) if blue else (30, 35, 30)
    lcd = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(lcd)
    font = ImageFont.truetype(FONT, 16)
    lines = sample.text.splitlines()
    draw.rectangle((0, 0, width, 24), fill=ink)  # the inverted title bar
    draw.text((8, 2), lines[0], font=ImageFont.truetype(BOLD, 16), fill=background)
    for row, line in enumerate(lines[1:]):
        draw.text((8, 34 + row * 28), line, font=font, fill=ink)
    lcd = lcd.resize((width * scale, height * scale), Image.Resampling.NEAREST)
    body = Image.new("RGB", (lcd.width + 160, lcd.height + 420), (38, 40, 44))
    body.paste(lcd, (80, 80))
    keys = ImageDraw.Draw(body)
    for row in range(2):
        for column in range(4):
            x, y = 100 + column * 190, lcd.height + 140 + row * 120
            keys.rounded_rectangle((x, y, x + 140, y + 80), radius=16, fill=(70, 72, 78))
    return body


def _receipt(sample: Sample, rng: random.Random) -> Image.Image:
    lines = sample.text.splitlines()
    paper = Image.new("RGB", (760, 120 + 56 * len(lines)), (242, 240, 232))
    draw = ImageDraw.Draw(paper)
    font = ImageFont.truetype(FONT, 30)
    shade = rng.randrange(70, 130)  # thermal print fades
    for row, line in enumerate(lines):
        draw.text((40, 50 + row * 56), line, font=font, fill=(shade, shade, shade + 10))
    return paper.filter(ImageFilter.GaussianBlur(0.6))


def _perspective(image: Image.Image, rng: random.Random) -> Image.Image:
    import cv2

    w, h = image.size
    source = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = [(rng.uniform(-0.08, 0.08) * w, rng.uniform(-0.08, 0.08) * h) for _ in range(4)]
    target = np.float32([[x + dx, y + dy] for (x, y), (dx, dy) in zip(source.tolist(), jitter, strict=True)])
    target -= target.min(axis=0)
    size = (int(target[:, 0].max()) + 1, int(target[:, 1].max()) + 1)
    matrix = cv2.getPerspectiveTransform(source, target)
    warped = cv2.warpPerspective(np.asarray(image), matrix, size, borderValue=(0, 0, 0))
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, size)
    return Image.fromarray(warped), Image.fromarray(mask)


def photograph(subject: Image.Image, rng: random.Random, *, size: tuple[int, int]) -> bytes:
    warped, mask = _perspective(subject, rng)
    angle = rng.uniform(-15, 15)
    warped = warped.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    mask = mask.rotate(angle, expand=True)
    width, height = size
    photo = Image.new("RGB", size, tuple(rng.randrange(90, 170) for _ in range(3)))  # the counter
    fit = min(width * rng.uniform(0.6, 0.85) / warped.width, height * rng.uniform(0.6, 0.85) / warped.height)
    warped = warped.resize((int(warped.width * fit), int(warped.height * fit)), Image.Resampling.LANCZOS)
    mask = mask.resize(warped.size)
    photo.paste(warped, ((width - warped.width) // 2, (height - warped.height) // 2), mask)
    pixels = np.asarray(photo, dtype=np.float32)
    yy, xx = np.mgrid[0:height, 0:width]
    cx, cy, radius = rng.uniform(0.2, 0.8) * width, rng.uniform(0.2, 0.8) * height, rng.uniform(0.1, 0.25) * width
    glare = np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * radius**2)))[..., None] * rng.uniform(60, 120)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(3, 8), pixels.shape)
    photo = Image.fromarray(np.clip(pixels + glare + noise, 0, 255).astype(np.uint8))
    photo = photo.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.8) * width / 2000))
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=rng.randrange(70, 92))
    return out.getvalue()


def draw(sample: Sample, *, seed: int = 25, size: tuple[int, int] | None = None) -> bytes:
    rng = random.Random(f"{seed}:{sample.name}")
    subject = _screen(sample, rng) if sample.kind == "screen" else _receipt(sample, rng)
    return photograph(subject, rng, size=size or rng.choice(PHONE_SIZES))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "ocr")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = ["name\tkind\tcode\tcard\ttext"]
    for sample in samples(args.count):
        (args.out / f"{sample.name}.jpg").write_bytes(draw(sample))
        rows.append(
            "\t".join([sample.name, sample.kind, sample.code, str(int(sample.card)), sample.text.replace("\n", " | ")])
        )
    (args.out / "expected.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"{args.count} photos in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
