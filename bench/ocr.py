#!/usr/bin/env python
"""Photo of the screen → the answer, measured: the photos bench/ocr_photos.py draws, each sent to
POST /api/v1/search/photo as a phone would (the upload checks, the OCR server, the codes, the search), on a
throwaway SQLite database loaded with the shipped knowledge base and a real OCR server.

    .venv/bin/python bench/ocr.py [--photos var/bench/ocr] [--count 60] [--misses]

Reports per set (screens, receipts, all): code found %, the code's page in the top 3 results %, median and
p95 seconds per photo from upload to answer, and the resident memory of the OCR server and of this process
(which plays the web worker: it never loads the models).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_server(socket_path: str, max_side: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "ocr.server", "--socket", socket_path, "--max-side", str(max_side)]
    server = subprocess.Popen(command, cwd=ROOT)
    deadline = time.monotonic() + 180
    while not os.path.exists(socket_path):
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the OCR server did not start")
        time.sleep(0.2)
    return server


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(results: list, *, ocr_rss: float, ocr_peak: float, web_before: float, web_after: float) -> None:
    """The table per image set and the memory figures."""
    print(
        f"{len(results)} photos ({statistics.median(r[4] for r in results) / 1e6:.1f} MB median), "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end"
    )
    print("| set | photos | code found | code's page in top 3 | median s | p95 s |")
    print("|---|---|---|---|---|---|")
    for label, chosen in (("screens", "screen"), ("receipts", "receipt"), ("all", None)):
        part = [r for r in results if chosen is None or r[0] == chosen]
        if not part:
            continue
        times = [r[3] for r in part]
        print(
            f"| {label} | {len(part)} | {100 * sum(r[1] for r in part) / len(part):.0f} % | "
            f"{100 * sum(r[2] for r in part) / len(part):.0f} % | {statistics.median(times):.2f} | "
            f"{percentile(times, 0.95):.2f} |"
        )
    print(
        f"OCR server: {ocr_rss:.0f} MB resident ({ocr_peak:.0f} MB peak); web worker (this process): "
        f"{web_before:.0f} MB before the photos, {web_after:.0f} MB after (+{web_after - web_before:.0f} MB); "
        f"statuses {sorted({r[5] for r in results})}"
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=Path, default=ROOT / "var" / "bench" / "ocr")
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--max-side", type=int, default=1280, help="the OCR server's --max-side")
    return parser.parse_args()


def _photos(folder: Path, count: int) -> None:
    """The synthetic photos and their expected codes, made once (bench/ocr_photos.py)."""
    if not (folder / "expected.tsv").exists():
        command = [sys.executable, str(ROOT / "bench" / "ocr_photos.py"), "--count", str(count), "--out", str(folder)]
        subprocess.run(command, check=True)


def _site() -> None:
    """A throwaway portal in this process: its own SQLite database and var folder, no Redis, articles loaded."""
    folder = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    os.environ |= {
        "DATABASE_URL": f"sqlite:///{folder / 'ocr.sqlite3'}",
        "PORTAL_VAR_DIR": str(folder / "var"),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "LOG_LEVEL": "WARNING",
        "API_PUBLIC_RATE_LIMIT": "100000",
        "OCR_SOCKET": str(folder / "ocr.sock"),
        "OCR_TIMEOUT_SECONDS": "120",
    }
    os.environ.pop("REDIS_URL", None)
    sys.path[:] = [str(ROOT), *(path for path in sys.path if Path(path).resolve() != ROOT / "bench")]
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("kb_load", verbosity=0)


def _search(client, photos: Path, name: str, code: str, *, misses: bool) -> tuple:
    """One photo through the API: (found the code, its page in the top 3, seconds, bytes, status)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = (photos / f"{name}.jpg").read_bytes()
    started = time.perf_counter()
    answer = client.post("/api/v1/search/photo", {"photo": SimpleUploadedFile(f"{name}.jpg", data, "image/jpeg")})
    seconds = time.perf_counter() - started
    body = answer.json() if answer.status_code == 200 else {"codes": [], "results": [], "text": ""}
    top3 = [hit["url"] for hit in body["results"][:3]]
    found = code in body["codes"]
    page = any(url.rstrip("/").endswith(f"/codes/{code}") for url in top3)
    if misses and not (found and page):
        print(f"miss {name}: status {answer.status_code} codes {body['codes']} text {body['text']!r} top3 {top3}")
    return found, page, seconds, len(data), answer.status_code


def main() -> None:
    args = _arguments()
    _photos(args.photos, args.count)
    _site()
    from django.test import Client

    server = start_server(os.environ["OCR_SOCKET"], args.max_side)
    try:
        client = Client(HTTP_HOST="127.0.0.1")
        client.get("/api/v1/search", {"q": "A0"})  # the web worker warmed up: search loaded, as in production
        web_before = rss_mb(os.getpid())
        rows = [line.split("\t") for line in (args.photos / "expected.tsv").read_text().splitlines()[1:]]
        results = [
            (kind, *_search(client, args.photos, name, code, misses=args.misses))
            for name, kind, code, _card, _text in rows[: args.count]
        ]
        web_after = rss_mb(os.getpid())
        ocr_rss, ocr_peak = rss_mb(server.pid), rss_mb(server.pid, "VmHWM")
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(results, ocr_rss=ocr_rss, ocr_peak=ocr_peak, web_before=web_before, web_after=web_after)


if __name__ == "__main__":
    main()
