#!/usr/bin/env python
"""Search benchmark: latency of GET /api/search with 1k, 10k and 100k synthetic articles, on SQLite and
PostgreSQL, in-process (Django test client, full middleware) and over HTTP (gunicorn, 2 workers), plus
index build time, memory and index size.

    .venv/bin/python bench/search.py                       # everything (takes a few minutes)
    .venv/bin/python bench/search.py --sizes 1000 --databases sqlite --requests 200

Each database/size pair gets a fresh throwaway database (SQLite: /tmp/bench_search.sqlite3, PostgreSQL:
bench_search on 127.0.0.1, dropped and recreated), loaded with the shipped knowledge base (kb_load) and
then synthetic articles recombined from its sentences, symptoms, tags and codes. Articles are inserted in
bulk and indexed with the same pipeline as the portal (kb.search.index_many), not one
service call each. Queries are the relevance set (tests/kb/search_relevance.yaml), cycled.
"""

import argparse
import http.client
import json
import os
import random
import re
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
SQLITE_PATH = Path("/tmp/bench_search.sqlite3")
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "bench_search"
DATABASES = {"sqlite": f"sqlite:///{SQLITE_PATH}", "postgresql": f"{PG_SERVER}/{PG_NAME}"}
SIZES = (1_000, 10_000, 100_000)


# --- Orchestrator ------------------------------------------------------------------------------


def reset_database(name: str) -> None:
    if name == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{PG_SERVER.replace('postgres://', 'postgresql://')}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_NAME}")


def run_worker(database: str, size: int, requests: int) -> dict:
    reset_database(database)
    env = {
        **os.environ,
        "DATABASE_URL": DATABASES[database],
        "PORTAL_VAR_DIR": "/tmp/bench_search_var",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "LOG_LEVEL": "WARNING",
        # Three HTTP runs of `requests` each from one address, often within a minute: above the visitor's
        # limit (600 a minute), which would answer 429 and stop the run whenever the machine is fast.
        "SEARCH_RATE_PER_MINUTE": str(10 * requests + 1000),
    }
    env.pop("REDIS_URL", None)
    command = [sys.executable, __file__, "--worker", "--size", str(size), "--requests", str(requests)]
    output = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    line = [x for x in output.stdout.splitlines() if x.startswith("{")][-1]
    return json.loads(line)


def print_table(rows: list[dict]) -> None:
    header = (
        f"{'database':10} {'articles':>8} {'entries':>8} {'build s':>7} {'build MB':>8} {'index MB':>8} "
        f"{'in-process':>14} {'HTTP':>14} {'HTTP kept conn':>14} {'server MB':>9}"
    )
    print(header)
    print(f"{'':55}{'p50    p95 ms':>15}{'p50    p95 ms':>15}{'p50    p95 ms':>15}")
    print("-" * len(header))
    for r in rows:
        keep = f"{r['keep_p50']:>6.1f} {r['keep_p95']:>7.1f}" if r.get("keep_p50") is not None else f"{'(same)':>14}"
        print(
            f"{r['database']:10} {r['size']:>8} {r['entries']:>8} {r['build_s']:>7.0f} {r['build_peak_mb']:>8.0f} "
            f"{r['index_mb']:>8.1f} {r['inproc_p50']:>6.1f} {r['inproc_p95']:>7.1f} {r['http_p50']:>6.1f} "
            f"{r['http_p95']:>7.1f} {keep} {r['server_mb']:>9.0f}"
        )


def orchestrate(args) -> None:
    rows = []
    for database in args.databases:
        for size in args.sizes:
            print(f"… {database} with {size} synthetic articles", file=sys.stderr, flush=True)
            rows.append(run_worker(database, size, args.requests))
    print(
        f"\nGET /api/search, {args.requests} requests per cell (relevance-set queries, zh-hans and en), "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    print_table(rows)
    print(
        "\nbuild s: bulk insert of the synthetic articles plus indexing them (segmentation, pinyin, FTS/vector);"
        "\nbuild MB: peak RSS of the process that built it; index MB: SQLite FTS5 data / PostgreSQL"
        " kb_searchentry with its GIN index;\nHTTP: gunicorn, 2 sync workers, the portal's settings (SQLite"
        " connections closed after each request);\nHTTP kept conn: the same with CONN_MAX_AGE=60 on SQLite"
        " (bench/persistent_settings.py; PostgreSQL already keeps them);\nserver MB: RSS of the two gunicorn"
        " workers together after the HTTP run."
    )


# --- Worker: runs inside one throwaway database -------------------------------------------------


def corpus() -> dict:
    """Sentences, symptom lines, tags, titles and codes of the shipped articles, per language."""
    import frontmatter

    pieces = {lang: {"sentences": [], "symptoms": [], "tags": [], "titles": []} for lang in ("zh-hans", "en")}
    codes = []
    for path in sorted((ROOT / "kb/content/articles").glob("*.md")):
        language = path.stem.partition(".")[2]
        post = frontmatter.load(path)
        bucket = pieces[language]
        bucket["titles"].append(str(post["title"]))
        bucket["symptoms"].extend(str(s) for s in post.get("symptoms") or [])
        bucket["tags"].extend(str(t) for t in post.get("tags") or [])
        codes.extend(str(c) for c in post.get("codes") or [])
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", post.content)
        text = re.sub(r"[#|*`>-]+", " ", text)
        splitter = r"(?<=[。；！？])|\n" if language == "zh-hans" else r"(?<=[.;!?])\s+|\n"
        bucket["sentences"].extend(s.strip() for s in re.split(splitter, text) if len(s.strip()) > 8)
    return {"pieces": pieces, "codes": sorted(set(codes))}


def synthetic_articles(size: int, category, rng: random.Random):
    from kb.models import Article

    data = corpus()
    for i in range(size):
        language = "zh-hans" if i % 2 == 0 else "en"
        p = data["pieces"][language]
        sentences = rng.sample(p["sentences"], k=min(len(p["sentences"]), rng.randint(12, 30)))
        sep = "：" if language == "zh-hans" else ": "
        yield Article(
            slug=f"synthetic-{i // 2}",
            language=language,
            category=category,
            title=(rng.choice(p["symptoms"]) + sep + rng.choice(p["titles"]))[:120],
            summary=rng.choice(p["sentences"])[:200],
            symptoms="\n".join(rng.sample(p["symptoms"], k=rng.randint(3, 8))),
            tags=", ".join(rng.sample(p["tags"], k=rng.randint(3, 6)))[:300],
            codes=", ".join(rng.sample(data["codes"], k=rng.randint(0, 3))),
            body="\n\n".join(sentences),
            # Rendering Markdown is not what is measured; the index reads the HTML's text.
            body_html="".join(f"<p>{s}</p>" for s in sentences),
            status=Article.Status.PUBLISHED,
        )


def build(size: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from kb import search
    from kb.models import Article, Category
    from kb.search.backends import get_backend
    from kb.search_documents import article_document

    call_command("migrate", verbosity=0)
    call_command("kb_load", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    category = Category.objects.first()
    rng = random.Random(size)

    def created():
        # Inserted and indexed batch by batch, so memory stays flat whatever the size.
        batch = []
        for article in synthetic_articles(size, category, rng):
            batch.append(article)
            if len(batch) == 2000:
                yield from Article.objects.bulk_create(batch)
                batch = []
        yield from Article.objects.bulk_create(batch)

    started = time.perf_counter()
    with transaction.atomic():
        search.index_many(article_document(a) for a in created())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE kb_searchentry")
    else:
        get_backend().rebuild()  # merges FTS segments ("optimize"), as kb_reindex does
    build_s = time.perf_counter() - started
    return {"build_s": build_s, "build_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def index_size_mb() -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size('kb_searchentry')")
        else:
            cursor.execute(
                "SELECT (SELECT coalesce(sum(length(block)), 0) FROM kb_search_fts_data)"
                " + (SELECT coalesce(sum(length(sz)), 0) FROM kb_search_fts_docsize)"
            )
        return cursor.fetchone()[0] / 1024 / 1024


def queries() -> list[dict]:
    import yaml

    cases = yaml.safe_load((ROOT / "tests/kb/search_relevance.yaml").read_text(encoding="utf-8"))
    return [{"q": c["q"], "lang": c.get("lang", "zh-hans")} for c in cases]


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94]


def measure_in_process(requests: int) -> tuple[float, float]:
    from django.test import Client

    client = Client()
    items = queries()
    for item in items[:20]:  # warm-up: segmenter, converter, caches
        client.get("/api/search", item)
    samples = []
    for i in range(requests):
        started = time.perf_counter()
        response = client.get("/api/search", items[i % len(items)])
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
    return percentiles(samples)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    total = 0
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for child in children:
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def measure_http(requests: int, settings: str = "portal.settings") -> tuple[float, float, float]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--log-level=warning"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings},
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        items = queries()

        def get(item) -> float:
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/api/search?" + urlencode(item))
            response = conn.getresponse()
            response.read()
            assert response.status == 200
            return (time.perf_counter() - started) * 1000

        for item in items[:40]:  # warm up both workers
            get(item)
        samples = [get(items[i % len(items)]) for i in range(requests)]
        p50, p95 = percentiles(samples)
        return p50, p95, rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


def worker(args) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from kb.search.models import SearchEntry

    result = {"database": connection.vendor, "size": args.size}
    result |= build(args.size)
    result["entries"] = SearchEntry.objects.count()
    result["index_mb"] = index_size_mb()
    result["inproc_p50"], result["inproc_p95"] = measure_in_process(args.requests)
    connection.close()
    result["http_p50"], result["http_p95"], result["server_mb"] = measure_http(args.requests)
    result["keep_p50"] = result["keep_p95"] = None
    if connection.vendor == "sqlite":
        result["keep_p50"], result["keep_p95"], _mb = measure_http(args.requests, "bench.persistent_settings")
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--databases", nargs="+", choices=list(DATABASES), default=list(DATABASES))
    parser.add_argument("--requests", type=int, default=400, help="measured requests per cell and mode")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
    else:
        orchestrate(args)


if __name__ == "__main__":
    main()
