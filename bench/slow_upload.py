"""Benchmark: sending a ticket with a 1 MB photo from a 390x844 phone on a slow network.

Starts `manage.py runserver` on a throw-away database and media folder, drives Debian's Chromium with
Playwright, and throttles the page through the DevTools protocol (Network.emulateNetworkConditions:
400 ms latency, 50 KB/s down and up). For JavaScript on, off, and WeChat's user agent it prints the time
from pressing "Send" to the confirmation page, the number of POSTs and any failed request.

    .venv/bin/python bench/slow_upload.py [--photo-mb 1.0] [--latency 400] [--kbps 50] [--port 8798]
"""

import argparse
import io
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _common as common  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.journey import WECHAT_UA, RequestLog  # noqa: E402


def photo(megabytes: float) -> bytes:
    """A JPEG of about the given size: noise does not compress, so the size is what travels."""
    rng = random.Random(7)
    side = 400
    while True:
        image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        if len(out.getvalue()) >= megabytes * 1024 * 1024:
            return out.getvalue()
        side += 16


def start_server(port: int, var: str) -> subprocess.Popen:
    env = common.runserver_env(var)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "compilemessages", "--ignore=.venv", "-v0"], cwd=ROOT, env=env)
    # WhiteNoise serves the collected files, as in production.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _attempt in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def send_once(browser, base: str, profile: str, jpeg: bytes, args) -> tuple[float, int, list]:
    options = {"nojs": {"java_script_enabled": False}, "wechat": {"user_agent": WECHAT_UA}}.get(profile, {})
    context = browser.new_context(
        base_url=base, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, **options
    )
    context.set_default_timeout(600_000)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    rate = args.kbps * 1024
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": args.latency, "downloadThroughput": rate, "uploadThroughput": rate},
    )
    page.goto("/tickets/new/")
    page.fill("#id_description", "刷卡提示请重新签到，签到后仍然失败")
    page.fill("#id_contact_name", "王芳")
    page.fill("#id_phone", "13800138000")
    page.fill("#id_merchant_id", "102310058120001")
    page.fill("#id_terminal_id", "12345678")
    page.set_input_files("#id_photos", files=[{"name": "screen.jpg", "mimeType": "image/jpeg", "buffer": jpeg}])
    log = RequestLog().attach(page)
    started = time.monotonic()
    page.locator("button.send").click()
    page.wait_for_url("**/sent/")
    page.wait_for_load_state("load")
    elapsed = time.monotonic() - started
    context.close()
    return elapsed, len(log.posts()), log.failures()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photo-mb", type=float, default=1.0)
    parser.add_argument("--latency", type=int, default=400, help="ms added to each request")
    parser.add_argument("--kbps", type=int, default=50, help="KB/s, down and up")
    parser.add_argument("--port", type=int, default=8798)
    args = parser.parse_args()
    jpeg = photo(args.photo_mb)
    print(f"photo {len(jpeg) / 2**20:.2f} MB; network {args.latency} ms latency, {args.kbps} KB/s; 390x844")
    with tempfile.TemporaryDirectory(prefix="bench-slow-") as var:
        server = start_server(args.port, var)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for profile in ("js", "nojs", "wechat"):
                    base = f"http://127.0.0.1:{args.port}"
                    elapsed, posts, failures = send_once(browser, base, profile, jpeg, args)
                    print(f"{profile:7s} send -> confirmation {elapsed:6.1f} s, {posts} POST, failed: {failures}")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
