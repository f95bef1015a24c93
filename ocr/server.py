"""The OCR server: one long-lived process that loads the models once and reads the photos web workers and
the task worker send it over a local socket (docs/ocr.md says why not in the task worker itself).

One photo is read at a time (onnxruntime spreads one photo over its --threads) and at most `waiting`
more wait their turn; past that the caller is told at once that the reader is busy, so a burst of photos
never piles up behind each other until their requests time out.

    python -m ocr.server --socket var/ocr.sock [--waiting 2] [--threads 2]

--threads defaults to the OCR_THREADS environment variable, else 2 (docs/ocr.md).
"""

import argparse
import contextlib
import json
import logging
import os
import signal
import socketserver
import sys
import threading

from ocr import wire
from ocr.engine import MAX_SIDE, THREADS, Engine

logger = logging.getLogger("ocr.server")


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str, *, waiting: int, engine: Engine) -> None:
        self.engine = engine
        self.admitted = threading.BoundedSemaphore(1 + waiting)
        self.reading = threading.Lock()
        if os.path.exists(path):
            os.unlink(path)
        super().__init__(path, Handler)
        os.chmod(path, 0o660)


class Handler(socketserver.BaseRequestHandler):
    server: Server

    def handle(self) -> None:
        self.request.settimeout(30)
        try:
            photo = wire.receive(self.request)
        except (OSError, ValueError, ConnectionError):
            return
        if not self.server.admitted.acquire(blocking=False):
            self._answer({"busy": True})
            return
        try:
            with self.server.reading:
                answer = self.server.engine.read(photo).to_json()
        except Exception as error:  # a photo the decoder or the models choke on is one failed reading
            logger.warning("could not read a photo: %s", type(error).__name__)
            answer = {"error": type(error).__name__}
        finally:
            self.server.admitted.release()
        self._answer(answer)

    def _answer(self, answer: dict) -> None:
        with contextlib.suppress(OSError):  # the caller gave up waiting
            wire.send(self.request, json.dumps(answer, ensure_ascii=False).encode())


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--socket", required=True)
    parser.add_argument("--waiting", type=int, default=2, help="photos that may wait while one is read")
    parser.add_argument("--max-side", type=int, default=MAX_SIDE, help="longest side a photo is read at (px)")
    parser.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("OCR_THREADS") or THREADS),
        help="onnxruntime threads per photo (OCR_THREADS; at most the CPU count)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s ocr %(levelname)s %(message)s")
    engine = Engine(max_side=args.max_side, threads=args.threads)
    server = Server(args.socket, waiting=args.waiting, engine=engine)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    logger.info("reading photos on %s (%d may wait, %d threads)", args.socket, args.waiting, args.threads)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        if os.path.exists(args.socket):
            os.unlink(args.socket)


if __name__ == "__main__":
    main()
