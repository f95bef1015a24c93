"""The recognizer, loaded once per process: RapidOCR (PP-OCR detection, angle classifier and recognition
models shipped in its wheel, run by onnxruntime on the CPU). Only the OCR server imports this module, so web
workers never load the models."""

import io
import logging
import os
import time

import numpy as np
from PIL import Image, ImageOps

from ocr.reading import Line, Reading

# A phone's 12 MP photo (4032×3024) is brought down to this longest side before detection: the terminal's
# text stays legible on the generated set and detection time falls with the pixel count: 1280 read the same
# codes as 1600 at a third of the median time (docs/ocr.md, "Measured").
MAX_SIDE = 1280
MIN_SCORE = 0.5
# onnxruntime otherwise takes a thread per core for each photo: on the portal's machine that is every core
# gunicorn has. Two threads read a photo nearly as fast and leave the rest to the web (docs/ocr.md).
THREADS = 2


def engine_params(*, threads: int) -> dict:
    """RapidOCR's settings: angle classifier on, quiet, and onnxruntime held to `threads` threads per model
    (clamped to the cores there are: RapidOCR silently ignores a count above that and takes them all)."""
    threads = max(1, min(threads, os.cpu_count() or 1))
    return {
        "Global.use_cls": True,
        "Global.log_level": "warning",
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,  # the models are one chain of operators
    }


def prepared(data: bytes, max_side: int = MAX_SIDE) -> tuple[np.ndarray, float]:
    """The photo as an RGB array no longer than MAX_SIDE on its longest side, upright as the phone held it
    (EXIF orientation applied), and the factor from its coordinates back to the original's."""
    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        scale = min(1.0, max_side / max(image.size))
        if scale < 1.0:
            image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
        return np.asarray(image)[:, :, ::-1].copy(), 1.0 / scale  # RapidOCR wants OpenCV's BGR


class Engine:
    def __init__(self, *, max_side: int = MAX_SIDE, threads: int = THREADS) -> None:
        from rapidocr import RapidOCR

        self.max_side = max_side
        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        self._ocr = RapidOCR(params=engine_params(threads=threads))

    def read(self, data: bytes) -> Reading:
        started = time.perf_counter()
        array, back = prepared(data, self.max_side)
        result = self._ocr(array, use_cls=True)
        lines = []
        for text, score, box in zip(result.txts or (), result.scores or (), _boxes(result.boxes), strict=False):
            if score >= MIN_SCORE and text.strip():
                points = tuple((round(x * back), round(y * back)) for x, y in box)
                lines.append(Line(text=text.strip(), score=round(float(score), 3), box=points))
        return Reading(lines=tuple(lines), seconds=round(time.perf_counter() - started, 3))


def _boxes(boxes) -> list:
    return [] if boxes is None else [[(float(x), float(y)) for x, y in box] for box in boxes]
