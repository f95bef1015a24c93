"""A bounded load of plain threads that reads public pages and sends tickets (a photo and a log each) to a
portal (tests/faults/stack.py starts one on throwaway servers), recording every answer: what the fault tests
and bench/load.py measure.
"""

import contextlib
import io
import random
import secrets
import threading
import time
from dataclasses import dataclass

import requests
from PIL import Image

NEW = "/en/tickets/new/"

PUBLIC_PATHS = [
    "/",
    "/en/",
    "/codes/",
    "/en/codes/A0/",
    "/articles/re-sign-in-prompt/",
    "/en/articles/keys-out-of-sync/",
    "/search/?q=请重新签到",
    "/en/search/?q=printer+out+of+paper",
    NEW,
]


# --- what a merchant sends -------------------------------------------------------------------------


def small_jpeg(seed: int) -> bytes:
    """A small photo (a few KB) that Pillow re-encodes as the portal does with real ones."""
    rng = random.Random(seed)
    image = Image.new("RGB", (160, 120), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def pos_log(seed: int, lines: int = 40) -> bytes:
    rows = [
        f"2026-05-01 10:{n % 60:02d}:{seed % 60:02d} TRACE={seed:06d}{n:03d} RESP=A0 MAC校验错" for n in range(lines)
    ]
    return ("\n".join(rows) + "\n").encode()


def ticket_fields(*, csrf: str, key: str, description: str, email: str = "") -> dict:
    return {
        "csrfmiddlewaretoken": csrf,
        "submission_key": key,
        "contact_name": "压测商户",
        "phone": "13800138000",
        "email": email,
        "merchant_id": "102310058120001",
        "terminal_id": "12345678",
        # A time the merchant gives ("another time"), an hour ago in any time zone the server may use: never
        # "in the future".
        "occurred_when": "another_time",
        "occurred_at": time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() - 9 * 3600)),
        "description": description,
        "steps": ["开机", "签到"],
        "website": "",
        "action": "send",
    }


def ticket_files(seed: int) -> list:
    return [
        ("photos", (f"screen-{seed}.jpg", small_jpeg(seed), "image/jpeg")),
        ("logs", (f"pos-{seed}.log", pos_log(seed), "text/plain")),
    ]


def csrf_cookie(session: requests.Session, base: str, *, attempts: int = 20) -> str:
    """The CSRF cookie from the blank form (a few tries: the page may be failing while a part is down)."""
    for _ in range(attempts):
        with contextlib.suppress(requests.RequestException):
            session.get(base + NEW, timeout=10)
        if "csrftoken" in session.cookies:
            return session.cookies["csrftoken"]
        time.sleep(0.5)
    raise RuntimeError("no CSRF cookie from the ticket form")


# --- the servers -----------------------------------------------------------------------------------


# --- the load --------------------------------------------------------------------------------------


@dataclass
class Answer:
    at: float  # time.monotonic() when the answer came
    kind: str  # "page" or "ticket"
    path: str
    status: int  # 0: no HTTP answer (refused, reset, timed out)
    key: str = ""  # a ticket's submission key
    body: str = ""  # kept for ticket sends that were not accepted
    sent: float = 0.0  # time.monotonic() when the request went out


class Load:
    """`threads` merchants, each reading a public page and sending a ticket (a photo and a log) every
    `send_every`-th step, until `stop()`, `max_seconds` or `max_steps` each, whichever comes first."""

    def __init__(self, base: str, *, threads: int = 3, send_every: int = 3, max_seconds: float = 120,
                 max_steps: int = 400, pause: float = 0.05, email: str = ""):  # fmt: skip
        self.base, self.threads, self.send_every = base, threads, send_every
        self.max_seconds, self.max_steps, self.pause, self.email = max_seconds, max_steps, pause, email
        self.answers: list[Answer] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.workers: list[threading.Thread] = []

    def __enter__(self) -> "Load":
        for n in range(self.threads):
            thread = threading.Thread(target=self._run, args=(n,), daemon=True)
            thread.start()
            self.workers.append(thread)
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.workers:
            thread.join(timeout=60)

    def _record(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    def _run(self, n: int) -> None:
        rng = random.Random(n)
        session = requests.Session()
        csrf = csrf_cookie(session, self.base)
        deadline = time.monotonic() + self.max_seconds
        for step in range(self.max_steps):
            if self.stopping.is_set() or time.monotonic() > deadline:
                return
            if step % self.send_every == 0:
                self._send(session, csrf, seed=n * 10_000 + step)
            else:
                self._read(session, rng.choice(PUBLIC_PATHS))
            time.sleep(self.pause)

    def _read(self, session: requests.Session, path: str) -> None:
        sent = time.monotonic()
        try:
            status = session.get(self.base + path, timeout=15, allow_redirects=False).status_code
        except requests.RequestException:
            status = 0
        self._record(Answer(time.monotonic(), "page", path, status, sent=sent))

    def _send(self, session: requests.Session, csrf: str, *, seed: int) -> None:
        key, sent = secrets.token_urlsafe(24), time.monotonic()
        data = ticket_fields(csrf=csrf, key=key, description=f"load {key}", email=self.email)
        try:
            response = session.post(
                self.base + NEW, data=data, files=ticket_files(seed), timeout=30, allow_redirects=False,
                headers={"X-CSRFToken": csrf, "Referer": self.base + NEW},
            )  # fmt: skip
            status, body = response.status_code, ("" if response.status_code == 302 else response.text)
        except requests.RequestException as error:
            status, body = 0, str(error)
        self._record(Answer(time.monotonic(), "ticket", NEW, status, key=key, body=body, sent=sent))

    # -- what came back

    def during(self, start: float, end: float) -> list[Answer]:
        with self.lock:
            return [a for a in self.answers if start <= a.at <= end]

    def acknowledged(self) -> list[str]:
        with self.lock:
            return [a.key for a in self.answers if a.kind == "ticket" and a.status == 302]


def served_and_failed(answers: list[Answer]) -> tuple[int, int]:
    """Answers that were a success (2xx/3xx) and those that were not (anything else, or none)."""
    served = sum(1 for a in answers if 200 <= a.status < 400)
    return served, len(answers) - served
