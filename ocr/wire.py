"""The OCR server's protocol on its local socket: a 4-byte big-endian length, then that many bytes; the
client sends the photo, the server answers JSON ({"busy": true}, {"error": …} or a reading)."""

import socket
import struct

HEADER = struct.Struct(">I")
MAX_PHOTO_BYTES = 32 * 1024 * 1024  # far above the upload limit: the server refuses anything larger unread


def send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(HEADER.pack(len(payload)) + payload)


def receive(sock: socket.socket, *, limit: int = MAX_PHOTO_BYTES) -> bytes:
    (length,) = HEADER.unpack(_exactly(sock, HEADER.size))
    if length > limit:
        raise ValueError("message too large")
    return _exactly(sock, length)


def _exactly(sock: socket.socket, count: int) -> bytes:
    chunks, left = [], count
    while left:
        chunk = sock.recv(min(left, 1024 * 1024))
        if not chunk:
            raise ConnectionError("connection closed mid-message")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
