#!/usr/bin/env python
"""Search relevance per class of query (MRR, recall@1, recall@3) on SQLite and PostgreSQL, side by side.

    .venv/bin/python bench/search_relevance.py                      # both databases
    .venv/bin/python bench/search_relevance.py --databases sqlite   # one
    .venv/bin/python bench/search_relevance.py --misses             # and every query not at rank 1
    .venv/bin/python bench/search_relevance.py --cases other.yaml   # another set, in the same format

The queries and their classes are the relevance set (tests/kb/search_relevance.yaml), measured as
tests/kb/test_search_relevance.py measures them, on a throwaway database loaded with the shipped knowledge
base (kb_load): SQLite in a temporary file, PostgreSQL as a database named by --pg-name on 127.0.0.1,
dropped and recreated.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def reset_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER.replace('postgres://', 'postgresql://')}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def run_worker(database: str, folder: Path, pg_name: str, cases: Path | None = None) -> dict:
    if database == "postgresql":
        reset_postgres(pg_name)
        url = f"{PG_SERVER}/{pg_name}"
    else:
        url = f"sqlite:///{folder / 'relevance.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PORTAL_VAR_DIR": str(folder / "var"),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    if cases:
        env["RELEVANCE_CASES"] = str(cases.resolve())
    env.pop("REDIS_URL", None)  # the answer cache in process memory: every query computed once
    command = [sys.executable, __file__, "--worker"]
    output = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def worker() -> None:
    # bench/ holds modules named like the portal's apps (tickets.py): the portal's own must win.
    sys.path[:] = [str(ROOT), *(path for path in sys.path if Path(path).resolve() != ROOT / "bench")]
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("kb_load", verbosity=0)
    from tests.kb.test_search_relevance import CASES, _figures, _run

    if os.environ.get("RELEVANCE_CASES"):
        import yaml

        CASES = yaml.safe_load(Path(os.environ["RELEVANCE_CASES"]).read_text(encoding="utf-8"))
    runs = [_run(case) for case in CASES]
    misses = [
        {"q": r["case"]["q"], "lang": r["case"].get("lang", "zh-hans"), "class": r["case"]["class"],
         "rank": r["rank"], "expect": r["case"]["expect"], "found": r["found"][:3]}
        for r in runs if r["case"]["expect"] != "none" and r["rank"] != 1
    ]  # fmt: skip
    print(json.dumps({"figures": _figures(runs), "misses": misses, "queries": len(runs)}))


def print_table(results: dict[str, dict]) -> None:
    databases = list(results)
    classes = list(next(iter(results.values()))["figures"])
    print(f"{'':18}{'':>4}" + "".join(f"{db:>24}" for db in databases))
    print(f"{'class':18}{'n':>4}" + f"{'MRR':>10}{'R@1':>7}{'R@3':>7}" * len(databases))
    for kind in classes:
        n = results[databases[0]]["figures"][kind][0]
        cells = "".join("{:>10.3f}{:>7.2f}{:>7.2f}".format(*results[db]["figures"][kind][1:]) for db in databases)
        print(f"{kind:18}{n:>4}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--pg-name", default="bench_search_relevance", help="throwaway PostgreSQL database")
    parser.add_argument("--misses", action="store_true", help="list every query not found at rank 1")
    parser.add_argument("--cases", type=Path, help="another relevance set (default: tests/kb/search_relevance.yaml)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker()
        return
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-relevance-") as folder:
        for database in args.databases:
            print(f"… {database}", file=sys.stderr, flush=True)
            results[database] = run_worker(database, Path(folder), args.pg_name, args.cases)
    queries = next(iter(results.values()))["queries"]
    print(f"\nsearch relevance: {queries} queries (answerable ones per class below), MRR and recall at 1 and 3")
    print_table(results)
    if args.misses:
        for database, result in results.items():
            print(f"\nnot at rank 1 on {database}:")
            for miss in result["misses"]:
                print(f"  {miss['rank'] or '-':>2} [{miss['lang']}] {miss['class']:16} {miss['q']!r} → "
                      f"{miss['expect']}  (got {', '.join(miss['found'])})")  # fmt: skip


if __name__ == "__main__":
    main()
