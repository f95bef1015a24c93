#!/usr/bin/env python
"""What filing a ticket with 30 MB of files costs a gunicorn worker in resident memory.

    .venv/bin/python bench/upload_memory.py [--files 3] [--trace]

One sync gunicorn worker with production settings (bench/overlay.py) on a fresh SQLite database under
var/bench/upload/. The ticket form is opened as a browser would (CSRF cookie and token, bench/tickets.py),
once to warm the worker, then sent with three text logs just under 10 MB each (the per-file limit; 30 MB
is the per-ticket limit), each with a card number every 500 lines to mask. Prints the worker's VmRSS
before and after, the delta, and its peak (VmHWM). Target (issue 11): the delta stays under 10 MB.
--trace then runs one of the files through the upload pipeline in this process under tracemalloc (slow:
minutes) and prints the peak of Python allocations and what is still held afterwards.
"""

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common as common
from bench.tickets import make_log, memory_kb, submit, ticket_form

PORT = int(os.environ.get("BENCH_UPLOAD_PORT", "18120"))
FILE_BYTES = 10 * 1024 * 1024 - 4096  # under TICKET_MAX_FILE_BYTES, so three stay under the 30 MB total
TARGET_DELTA_MB = 10


def ten_mb_log(seed: int) -> bytes:
    """A terminal log just under the per-file limit, cut at a line end."""
    data = make_log(200_000 + seed)
    return data[: data.rindex(b"\n", 0, FILE_BYTES) + 1]


def measure_http(env: dict, files: list) -> None:
    with common.Gunicorn(env, PORT, workers=1) as server:
        (worker,) = server.worker_pids()
        # Warm: the form page and one small ticket load every module and template a submission needs.
        cookie, fields = ticket_form(PORT, "warm-up")
        submit(PORT, cookie, fields, [("logs", "warm.log", make_log(50), "text/plain")])
        cookie, fields = ticket_form(PORT, "30 MB of logs")
        before = memory_kb(worker)
        elapsed = submit(PORT, cookie, fields, files)
        time.sleep(0.5)
        after = memory_kb(worker)
    delta = (after["VmRSS"] - before["VmRSS"]) / 1024
    print(f"payload: {len(files)} logs, {sum(len(f[2]) for f in files) / 2**20:.1f} MB; sent in {elapsed:.1f} s")
    print(
        f"worker VmRSS before {before['VmRSS'] / 1024:.1f} MB, after {after['VmRSS'] / 1024:.1f} MB, "
        f"delta {delta:+.1f} MB (target < {TARGET_DELTA_MB} MB: {'met' if delta < TARGET_DELTA_MB else 'MISSED'}); "
        f"peak VmHWM {after['VmHWM'] / 1024:.1f} MB"
    )


def trace(env: dict, files: list) -> None:
    """The upload pipeline in this process under tracemalloc: where the bytes are at the peak."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.files.uploadedfile import TemporaryUploadedFile

    from tickets.services.files import process_all

    uploads = []
    for _field, name, data, content_type in files:
        upload = TemporaryUploadedFile(name, content_type, len(data), None)
        upload.write(data)
        upload.seek(0)
        uploads.append(upload)
    tracemalloc.start(1)
    processed = process_all(uploads)
    current, peak = tracemalloc.get_traced_memory()
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    for item in processed:
        item.close()
    print(f"\ntracemalloc: peak {peak / 2**20:.1f} MB of Python allocations, {current / 2**20:.1f} MB still held")
    print("largest allocation sites still held after processing:")
    for stat in snapshot.statistics("lineno")[:8]:
        print(f"  {stat.size / 2**20:7.1f} MB  {stat.traceback[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--trace", action="store_true", help="also trace the pipeline with tracemalloc")
    args = parser.parse_args()
    var_dir = common.VAR / "upload"
    env = common.production_env(database_url=f"sqlite:///{var_dir / 'db.sqlite3'}", var_dir=var_dir)
    env |= {"TICKET_RATE_LIMIT": "1000", "TICKET_RATE_LIMIT_PER_ADDRESS": "1000"}
    common.reset_database(env["DATABASE_URL"])
    common.clear_local_state(var_dir)
    common.prepare_site(env)
    files = [("logs", f"pos-{n}.log", ten_mb_log(n), "text/plain") for n in range(args.files)]
    measure_http(env, files)
    if args.trace:
        trace(env, files[:1])


if __name__ == "__main__":
    main()
