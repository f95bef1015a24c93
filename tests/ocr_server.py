"""A real OCR server for the tests that read photos (`python -m ocr.server` on a throwaway socket), started
once per test session and stopped by its PID; and small photos drawn by bench/ocr_photos.py."""

import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from bench.ocr_photos import FONT
from ocr import wire

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 120  # loading the models takes 4–10 s, more on a busy machine


@pytest.fixture(scope="session")
def ocr_socket():
    folder = tempfile.mkdtemp(prefix="ocr-test-")
    path = os.path.join(folder, "ocr.sock")
    server = subprocess.Popen([sys.executable, "-m", "ocr.server", "--socket", path, "--waiting", "0"], cwd=ROOT)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not os.path.exists(path):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the OCR server did not start")
            time.sleep(0.2)  # a real process loading its models, not the clock
        yield path
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def ocr_server(ocr_socket, settings):
    settings.OCR_SOCKET = ocr_socket
    settings.OCR_TIMEOUT_SECONDS = 120
    return ocr_socket


def text_photo(lines: list[str], *, size=(1600, 1200), angle: float = 0.0, font_size: int = 64) -> bytes:
    """A plain photo of dark text on a light screen, `angle` degrees turned."""
    image = Image.new("RGB", size, (196, 206, 186))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, font_size)
    for row, line in enumerate(lines):
        draw.text((120, 200 + row * int(font_size * 1.8)), line, font=font, fill=(25, 30, 25))
    if angle:
        image = image.rotate(angle, expand=False, fillcolor=(120, 120, 120), resample=Image.Resampling.BICUBIC)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88)
    return out.getvalue()


class FakeOcrServer:
    """A stand-in OCR server on a throwaway socket: it answers the first `busy` photos with {"busy": true}
    (every slot taken), then each with `reading` (the JSON a real server sends), or with `readings` in turn;
    counts what it was sent."""

    def __init__(self, *, busy: int, reading: dict | None = None, readings: list[dict] | None = None) -> None:
        self.busy = busy
        self.readings = readings or [reading or {"lines": [], "seconds": 0.0}]
        self.photos = 0
        self.path = str(Path(tempfile.mkdtemp(prefix="ocr-fake-")) / "ocr.sock")
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(self.path)
        self._listener.listen()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _address = self._listener.accept()
            except OSError:
                return
            with connection:
                wire.receive(connection)
                self.photos += 1
                read = self.photos - self.busy - 1
                answer = {"busy": True} if read < 0 else self.readings[read % len(self.readings)]
                wire.send(connection, json.dumps(answer, ensure_ascii=False).encode())

    def close(self) -> None:
        self._listener.close()


def reading_of(*lines: str) -> dict:
    """What a real server answers for a photo with these lines (boxes one under the other)."""
    return {
        "lines": [
            {
                "text": text,
                "score": 0.95,
                "box": [[100, 100 + 80 * n], [900, 100 + 80 * n], [900, 160 + 80 * n], [100, 160 + 80 * n]],
            }
            for n, text in enumerate(lines)
        ],
        "seconds": 0.1,
    }


@pytest.fixture
def busy_server(settings):
    """An OCR server whose every slot is always taken: it answers each photo with {"busy": true}."""
    server = FakeOcrServer(busy=10**9)
    settings.OCR_SOCKET = server.path
    yield server.path
    server.close()
