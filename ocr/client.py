"""Asking the OCR server to read a photo (what web workers and the task worker do)."""

import json
import socket

from ocr import wire
from ocr.reading import Busy, Reading, Unavailable


def read(data: bytes, *, socket_path: str, timeout: float) -> Reading:
    """The photo's text lines; raises Busy when every slot is taken, Unavailable when the server is not
    there, fails, or takes longer than `timeout` seconds."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(socket_path)
            wire.send(sock, data)
            answer = json.loads(wire.receive(sock))
    except (OSError, ValueError, ConnectionError) as error:
        raise Unavailable(type(error).__name__) from None
    if answer.get("busy"):
        raise Busy()
    if "error" in answer:
        raise Unavailable(answer["error"])
    return Reading.from_json(answer)
