"""Benchmark: one ticket submission with 3 photos (~2–4 MB each) and 2 logs, against a live server.

Starts `manage.py runserver` in its own process on a throw-away database and media folder, sends the form as
a browser would (multipart, CSRF cookie and token), and reports the wall time of each submission and the
server process's memory: resident size before, after, and its peak (VmHWM), read from /proc.

    .venv/bin/python bench/tickets.py [--runs 3] [--port 8799]
"""

import argparse
import gzip
import http.client
import io
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))

from bench import _common as common  # noqa: E402


def make_photo(seed: int, target_mb: float) -> bytes:
    """A noisy JPEG (noise does not compress, so the size is realistic for a phone photo)."""
    rng = random.Random(seed)
    width, height = 2400, 1800
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height)).convert("RGB")
    base = Image.new("RGB", (width, height), (30 + seed * 40, 90, 160))
    image = Image.blend(base, noise, 0.35)
    for quality in (95, 90, 85, 80, 70):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if out.tell() <= target_mb * 1024 * 1024:
            break
    return out.getvalue()


def make_log(lines: int, card_every: int = 500) -> bytes:
    rows = []
    for n in range(lines):
        pan = " PAN=4111111111111111" if n % card_every == 0 else ""
        rows.append(f"2026-05-01 10:{n % 60:02d}:{n % 60:02d} TRACE={n % 999999:06d} RESP=A0 MAC校验错{pan}")
    return ("\n".join(rows) + "\n").encode("utf-8")


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes, str]]) -> tuple[bytes, str]:
    boundary = "----bench" + secrets.token_hex(12)
    out = io.BytesIO()
    for name, value in fields:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for field, filename, data, content_type in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
        )
        out.write(data)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def memory_kb(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, rest = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            values[key] = int(rest.split()[0])
    return values


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def payload() -> list[tuple[str, str, bytes, str]]:
    """Three phone photos (one sent as "photos", two as "images") and two logs, one of them gzipped."""
    photos = [make_photo(n, target) for n, target in enumerate((2.5, 3.0, 3.8))]
    log_plain = make_log(20_000)
    log_gz = gzip.compress(make_log(40_000))
    print(
        f"payload: 3 photos {[round(len(p) / 2**20, 2) for p in photos]} MB, logs {len(log_plain) / 2**20:.2f} MB "
        f"+ {len(log_gz) / 2**20:.2f} MB gzip ({len(gzip.decompress(log_gz)) / 2**20:.2f} MB unpacked); "
        f"total {(sum(map(len, photos)) + len(log_plain) + len(log_gz)) / 2**20:.1f} MB"
    )
    return [
        ("photos", "screen-1.jpg", photos[0], "image/jpeg"),
        ("images", "screen-2.jpg", photos[1], "image/jpeg"),
        ("images", "receipt.jpg", photos[2], "image/jpeg"),
        ("logs", "pos.log", log_plain, "text/plain"),
        ("logs", "pos-old.log.gz", log_gz, "application/gzip"),
    ]


def ticket_form(port: int, description: str) -> tuple[str, list[tuple[str, str]]]:
    """Open the ticket form as a browser does; returns its CSRF cookie and the filled-in fields."""
    response, page = request(port, "GET", "/en/tickets/new/")
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    key = re.search(rb'name="submission_key" value="([^"]+)"', page).group(1).decode()
    return cookie, [
        ("csrfmiddlewaretoken", token),
        ("submission_key", key),
        ("contact_name", "Bench"),
        ("phone", "13800138000"),
        ("merchant_id", "102310058120001"),
        ("terminal_id", "12345678"),
        ("occurred_when", "just_now"),
        ("occurred_at", time.strftime("%Y-%m-%dT%H:%M")),
        ("description", description),
        ("steps", "开机"),
        ("steps", "签到"),
        ("action", "send"),
    ]


def submit(port: int, cookie: str, fields: list, files: list) -> float:
    """Send the form with its files; returns the wall time in seconds. Anything but a redirect fails."""
    body, content_type = multipart(fields, files)
    headers = {"Content-Type": content_type, "Cookie": f"csrftoken={cookie}", "Referer": f"http://127.0.0.1:{port}/"}
    started = time.perf_counter()
    response, _data = request(port, "POST", "/en/tickets/new/", body, headers)
    elapsed = time.perf_counter() - started
    if response.status != 302:
        raise SystemExit(f"submission failed with HTTP {response.status}")
    return elapsed


def serve(var: str, port: int) -> subprocess.Popen:
    """runserver in one process (no reloader, no threads), so its memory is the one worker's."""
    env = common.runserver_env(var)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _attempt in range(100):
        try:
            request(port, "GET", "/healthz")
            break
        except OSError:
            time.sleep(0.1)
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8799)
    args = parser.parse_args()
    files = payload()
    with tempfile.TemporaryDirectory(prefix="bench-tickets-") as var:
        server = serve(var, args.port)
        try:
            timings = []
            for run in range(args.runs):
                cookie, fields = ticket_form(args.port, f"bench run {run}")
                before = memory_kb(server.pid)
                timings.append(submit(args.port, cookie, fields, files))
                after = memory_kb(server.pid)
                print(
                    f"run {run + 1}: {timings[-1]:.2f} s; worker RSS {before['VmRSS'] / 1024:.0f} → "
                    f"{after['VmRSS'] / 1024:.0f} MB, peak {after['VmHWM'] / 1024:.0f} MB"
                )
            print(
                f"median {statistics.median(timings):.2f} s over {len(timings)} runs; "
                f"worker peak RSS {memory_kb(server.pid)['VmHWM'] / 1024:.0f} MB"
            )
            stored = sum(f.stat().st_size for f in Path(var, "media", "tickets").rglob("*") if f.is_file())
            print(
                f"stored per ticket: {stored / len(timings) / 2**20:.1f} MB "
                "(re-encoded photos, thumbnails, masked logs)"
            )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
