#!/usr/bin/env python
"""An article page on a slow phone network: first contentful paint and bytes transferred, per resource.

    .venv/bin/python bench/article_load.py [--slug re-sign-in-prompt] [--runs 3]

Serves the portal as bench/pages.py does (gunicorn, production settings, hashed and compressed static files)
on a fresh SQLite database under var/bench/article/ holding the shipped knowledge base, and loads the article
in headless Debian Chromium (Playwright, /usr/bin/chromium) with the network throttled through CDP
(Network.emulateNetworkConditions: 400 ms latency, 50 KB/s down and up), the cache disabled and no service
worker, i.e. a merchant's first visit. Prints the paint entry `first-contentful-paint` and, per resource,
the bytes that crossed the network (CDP Network.loadingFinished encodedDataLength: compressed body plus
headers). Targets (issue 11): at most 60 KB in all and first contentful paint within 2 s.
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common as common

PORT = int(os.environ.get("BENCH_ARTICLE_PORT", "18110"))
CHROMIUM = os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium")
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 50 * 1024, "uploadThroughput": 50 * 1024}
TARGET_BYTES = 60 * 1024
TARGET_FCP_MS = 2000


def load_once(browser, url: str) -> dict:
    """One cold load; returns the first contentful paint (ms) and the resources that crossed the network."""
    context = browser.new_context(service_workers="block", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        seen: dict[str, dict] = {}
        cdp.on("Network.responseReceived", lambda e: seen.setdefault(e["requestId"], {}).update(_response(e)))
        cdp.on(
            "Network.loadingFinished",
            lambda e: seen.setdefault(e["requestId"], {}).update(bytes=int(e["encodedDataLength"])),
        )
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        fcp = page.evaluate(
            "() => (performance.getEntriesByName('first-contentful-paint')[0] || {startTime: null}).startTime"
        )
        return {"fcp_ms": fcp, "resources": [r for r in seen.values() if "url" in r and "bytes" in r]}
    finally:
        context.close()


def _response(event: dict) -> dict:
    response = event["response"]
    headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
    return {
        "url": response["url"],
        "type": event.get("type", ""),
        "encoding": headers.get("content-encoding", "identity"),
        "status": response["status"],
    }


def report(runs: list[dict], base: str) -> None:
    last = runs[-1]
    print(f"{'resource':58} {'type':11} {'enc':8} {'bytes':>7}")
    for r in sorted(last["resources"], key=lambda r: -r["bytes"]):
        print(f"{r['url'].removeprefix(base)[:58]:58} {r['type']:11} {r['encoding']:8} {r['bytes']:>7,}")
    total = sum(r["bytes"] for r in last["resources"])
    fcps = [r["fcp_ms"] for r in runs if r["fcp_ms"] is not None]
    fcp = statistics.median(fcps) if fcps else float("nan")
    print(f"\ntotal transferred: {total:,} bytes ({total / 1024:.1f} KB; target ≤ {TARGET_BYTES // 1024} KB)")
    print(
        f"first contentful paint: median {fcp:.0f} ms over {len(fcps)} cold loads "
        f"({', '.join(f'{x:.0f}' for x in fcps)}; target ≤ {TARGET_FCP_MS} ms)"
    )
    met = {"bytes": total <= TARGET_BYTES, "FCP": fcp <= TARGET_FCP_MS}
    print("targets met: " + ", ".join(f"{name} {'yes' if ok else 'NO'}" for name, ok in met.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", default="re-sign-in-prompt")
    parser.add_argument("--lang", default="", help="'en' loads /en/articles/…")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    var_dir = common.VAR / "article"
    database = var_dir / "db.sqlite3"
    env = common.production_env(database_url=f"sqlite:///{database}", var_dir=var_dir)
    common.reset_database(env["DATABASE_URL"])
    common.clear_local_state(var_dir)
    common.prepare_site(env)
    base = f"http://127.0.0.1:{PORT}"
    url = f"{base}{'/' + args.lang if args.lang else ''}/articles/{args.slug}/"
    with common.Gunicorn(env, PORT) as _server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            runs = [load_once(browser, url) for _ in range(args.runs)]
        finally:
            browser.close()
    print(f"{url}: 400 ms latency, 50 KB/s down/up, cold cache, 390×844 viewport\n")
    report(runs, base)


if __name__ == "__main__":
    main()
