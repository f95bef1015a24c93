"""Reading photos, as a library: callers hand it an image and get its text lines with their boxes. It knows
nothing of tickets or of the knowledge base, and imports nothing from the project (tests/test_architecture.py).

The models live in one long-lived process, the OCR server (`python -m ocr.server`, started by `make run`
and `make serve`); `read` sends it the photo over a local socket, so a web worker never loads them
(docs/ocr.md).
"""

from ocr.client import read
from ocr.reading import Busy, Line, Reading, Unavailable
from ocr.redact import black_out

__all__ = ["Busy", "Line", "Reading", "Unavailable", "black_out", "read"]
