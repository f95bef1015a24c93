"""Load test: merchants browsing and searching, merchants filing tickets with a photo and a log and
replying, agents working the queue and replying, at once; then "acknowledged = stored".

Run as a script, it starts a whole portal on throwaway servers (tests/faults/stack.py: a PostgreSQL cluster
and a redis-server of its own, gunicorn with production settings and collected static files, the task
worker under bin/task-worker; rate limits raised out of reach, so the run measures the portal), runs this
same file as a headless locustfile against it, then checks that every ticket, reply and file whose send
was answered with success is in the database with its files on disk, and prints p50/p95/p99 per page,
the failures (any answer other than 2xx/3xx), and that check. No figure is asserted.

    .venv/bin/python bench/load.py [--merchants 50] [--filers 5] [--agents 3] [--duration 60]
                                   [--spawn-rate 10] [--web-workers 2]

Writes the report to var/bench/load-last.md and locust's CSV files to var/bench/load_*.csv. Every server
listens on 127.0.0.1 and is stopped by its PID when the run ends; the run stops by itself after --duration.
"""

import csv
import io
import itertools
import json
import os
import random
import re
import secrets
import shutil
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults.load import NEW, pos_log, small_jpeg, ticket_fields  # noqa: E402
from tests.faults.stack import AGENT_PASSWORD, Stack  # noqa: E402

VAR = ROOT / "var" / "bench"
TIMEOUT = 60  # seconds for one request: a run never hangs on an answer that does not come
REFERENCE = re.compile(r"/agent/tickets/(POS-\d{4}-\d{6,})/")
TOKEN = re.compile(r"/tickets/(t/[A-Za-z0-9_-]+)/sent/")
AGENT_REPLIED = "Reply sent to the merchant."


# --- what merchants look for: every query of the relevance set and every article's title -----------


def _prefix(language: str) -> str:
    return "/en" if language == "en" else ""


def queries() -> list[tuple[str, str]]:
    """(query, language): the search relevance set's queries and the shipped articles' titles."""
    found = [
        (item["q"], item.get("lang", "zh-hans")) for item in yaml.safe_load(_read("tests/kb/search_relevance.yaml"))
    ]
    return found + [(title, language) for _slug, language, title in articles()]


def articles() -> list[tuple[str, str, str]]:
    """(slug, language, title) of every shipped article (kb/content/articles/<slug>.<language>.md)."""
    found = []
    for path in sorted((ROOT / "kb/content/articles").glob("*.md")):
        slug, language = path.name.removesuffix(".md").rsplit(".", 1)
        front = path.read_text(encoding="utf-8").split("---", 2)[1]
        found.append((slug, language, yaml.safe_load(front)["title"]))
    return found


def codes() -> list[str]:
    return [str(item["code"]) for item in yaml.safe_load(_read("kb/content/response_codes.yaml"))]


def _read(relative: str) -> str:
    return (ROOT / relative).read_text(encoding="utf-8")


def marker() -> str:
    """A word to find a reply by afterwards: letters only, so no masking can touch it."""
    return "load" + "".join(random.choices(string.ascii_lowercase, k=12))


# --- the locust users (this file is the locustfile: `locust -f bench/load.py`) ----------------------

if __name__ != "__main__":
    from locust import HttpUser, between, task

    QUERIES, ARTICLES, CODES = queries(), articles(), codes()
    AGENT_NUMBERS = itertools.count()
    _acknowledged = None

    def acknowledge(**fields) -> None:
        """One success, for the check after the run (a file named by LOAD_ACK_FILE, one JSON line each)."""
        global _acknowledged
        if _acknowledged is None:
            _acknowledged = open(os.environ["LOAD_ACK_FILE"], "a", encoding="utf-8")  # noqa: SIM115
        _acknowledged.write(json.dumps(fields) + "\n")
        _acknowledged.flush()

    class Browsing(HttpUser):
        """A merchant reading articles, response codes and search results, in both languages."""

        fixed_count = int(os.environ.get("LOAD_MERCHANTS", "50"))
        wait_time = between(1, 3)

        @task(4)
        def search(self):
            query, language = random.choice(QUERIES)
            self.client.get(f"{_prefix(language)}/search/", params={"q": query}, name="search", timeout=TIMEOUT)

        @task(3)
        def article(self):
            slug, language, _title = random.choice(ARTICLES)
            self.client.get(f"{_prefix(language)}/articles/{slug}/", name="article", timeout=TIMEOUT)

        @task(1)
        def code(self):
            language = random.choice(("zh-hans", "en"))
            self.client.get(f"{_prefix(language)}/codes/{random.choice(CODES)}/", name="code", timeout=TIMEOUT)

        @task(1)
        def pages(self):
            language = random.choice(("zh-hans", "en"))
            self.client.get(f"{_prefix(language)}/", name="home", timeout=TIMEOUT)
            self.client.get(f"{_prefix(language)}/codes/", name="codes", timeout=TIMEOUT)

    class Filing(HttpUser):
        """A merchant sending a ticket with a photo and a log, then looking at it and replying with a log."""

        fixed_count = int(os.environ.get("LOAD_FILERS", "5"))
        wait_time = between(2, 5)

        def on_start(self):
            self.tokens: list[str] = []
            self.client.get(NEW, name="ticket form", timeout=TIMEOUT)

        def _csrf(self) -> str:
            return self.client.cookies.get("csrftoken", "")

        @task(3)
        def file(self):
            self.client.get(NEW, name="ticket form", timeout=TIMEOUT)
            key, seed = secrets.token_urlsafe(24), random.randrange(10**6)
            fields = ticket_fields(csrf=self._csrf(), key=key, description=f"load test {marker()}")
            files = [
                ("photos", (f"screen-{seed}.jpg", small_jpeg(seed), "image/jpeg")),
                ("logs", (f"pos-{seed}.log", pos_log(seed), "text/plain")),
            ]
            headers = {"X-CSRFToken": self._csrf(), "Referer": self.host + NEW}
            with self.client.post(
                NEW, data=fields, files=files, headers=headers, name="ticket send", allow_redirects=False,
                catch_response=True, timeout=TIMEOUT,
            ) as response:  # fmt: skip
                sent = TOKEN.search(response.headers.get("Location", ""))
                if response.status_code == 302 and sent:
                    response.success()
                    acknowledge(kind="ticket", key=key)
                    self.tokens.append(sent.group(1))
                else:
                    response.failure(f"HTTP {response.status_code}")

        @task(2)
        def reply(self):
            if not self.tokens:
                return
            token = random.choice(self.tokens)
            self.client.get(f"/en/tickets/{token}/", name="ticket page", timeout=TIMEOUT)
            word, seed = marker(), random.randrange(10**6)
            with self.client.post(
                f"/en/tickets/{token}/reply/", data={"csrfmiddlewaretoken": self._csrf(), "body": f"{word} 还是不行"},
                files=[("files", (f"again-{seed}.log", pos_log(seed), "text/plain"))],
                headers={"X-CSRFToken": self._csrf(), "Referer": f"{self.host}/en/tickets/{token}/"},
                name="ticket reply", allow_redirects=False, catch_response=True, timeout=TIMEOUT,
            ) as response:  # fmt: skip
                if response.status_code == 302:
                    response.success()
                    acknowledge(kind="reply", marker=word, files=1)
                else:
                    response.failure(f"HTTP {response.status_code}")

    class Working(HttpUser):
        """An agent: the queue, a ticket's page, a reply (with a log now and then)."""

        fixed_count = int(os.environ.get("LOAD_AGENTS", "3"))
        wait_time = between(2, 5)

        def on_start(self):
            self.references: list[str] = []
            login = "/en/accounts/login/"
            self.client.get(login, name="sign-in", timeout=TIMEOUT)
            account = {"username": f"load-agent-{next(AGENT_NUMBERS)}", "password": AGENT_PASSWORD}
            self.client.post(
                login, data={**account, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")},
                headers={"Referer": self.host + login}, name="sign-in", timeout=TIMEOUT,
            )  # fmt: skip

        @task(3)
        def queue(self):
            page = self.client.get("/en/agent/", name="agent queue", timeout=TIMEOUT)
            self.references = REFERENCE.findall(page.text)[:20] or self.references

        @task(2)
        def ticket(self):
            if self.references:
                reference = random.choice(self.references)
                self.client.get(f"/en/agent/tickets/{reference}/", name="agent ticket", timeout=TIMEOUT)

        @task(2)
        def reply(self):
            if not self.references:
                return
            reference, word = random.choice(self.references), marker()
            files = [("files", (f"{word}.log", pos_log(7), "text/plain"))] if random.random() < 0.3 else []
            data = {"csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""), "body": f"{word} 请重新签到"}
            with self.client.post(
                f"/en/agent/tickets/{reference}/reply/", data=data,
                files=files or None, headers={"Referer": f"{self.host}/en/agent/tickets/{reference}/"},
                name="agent reply", catch_response=True, timeout=TIMEOUT,
            ) as response:  # fmt: skip
                if not 200 <= response.status_code < 400:
                    response.failure(f"HTTP {response.status_code}")
                    return
                response.success()  # answered; acknowledged only when the page says the reply was sent
                if AGENT_REPLIED in response.text:
                    acknowledge(kind="agent_reply", marker=word, files=len(files))


# --- the run ---------------------------------------------------------------------------------------


def run_locust(stack: Stack, args, ack_file: Path) -> None:
    users = args.merchants + args.filers + args.agents
    env = {
        **os.environ,
        "LOAD_MERCHANTS": str(args.merchants),
        "LOAD_FILERS": str(args.filers),
        "LOAD_AGENTS": str(args.agents),
        "LOAD_ACK_FILE": str(ack_file),
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "locust", "-f", str(Path(__file__).resolve()), "--headless"]
    command += ["--host", stack.base, "-u", str(users), "-r", str(args.spawn_rate), "-t", f"{args.duration}s"]
    command += ["--csv", str(VAR / "load"), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"]
    command += ["--exit-code-on-error", "0"]
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=args.duration + 180)


def page_table() -> tuple[list[str], int, int]:
    rows = list(csv.DictReader((VAR / "load_stats.csv").open(encoding="utf-8")))
    lines = ["| page | requests | failures | p50 ms | p95 ms | p99 ms | req/s |", "|---|---|---|---|---|---|---|"]
    total = failures = 0
    for row in rows:
        name = "**all**" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        lines.append(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | {row['95%']} | "
            f"{row['99%']} | {float(row['Requests/s']):.1f} |"
        )
        if row["Name"] == "Aggregated":
            total, failures = int(row["Request Count"]), int(row["Failure Count"])
    failed = list(csv.DictReader((VAR / "load_failures.csv").open(encoding="utf-8")))
    if failed:
        lines += ["", "Failures:", ""] + [
            f"- {f['Method']} {f['Name']}: {f['Error']} × {f['Occurrences']}" for f in failed
        ]
    return lines, total, failures


def stored_check(stack: Stack, acknowledged: list[dict]) -> list[str]:
    """Every acknowledged ticket (by its submission key) and reply (by its word) with its files on disk."""
    keys = [a["key"] for a in acknowledged if a["kind"] == "ticket"]
    tickets = stack.stored(keys)
    ticket_ok = [k for k in keys if k in tickets and len(tickets[k]) >= 2]
    names = [name for k in ticket_ok for row in tickets[k] for name in row[:2] if name]
    rows = stack.query(
        "SELECT m.body, m.is_internal, array_remove(array_agg(a.file), NULL) FROM tickets_ticketmessage m "
        "LEFT JOIN tickets_attachment a ON a.message_id = m.id WHERE m.body LIKE 'load%%' GROUP BY m.id"
    )
    messages = {body.split()[0]: files for body, _internal, files in rows}
    lines = [
        "| acknowledged | count | stored | with all files | files missing or empty on disk |",
        "|---|---|---|---|---|",
    ]
    missing = stack.missing_files(names)
    lines.append(f"| tickets (photo + log) | {len(keys)} | {len(tickets)} | {len(ticket_ok)} | {len(missing)} |")
    for kind, label in (("reply", "merchant replies (a log)"), ("agent_reply", "agent replies (a log in ~30 %)")):
        sent = [a for a in acknowledged if a["kind"] == kind]
        found = [a for a in sent if a["marker"] in messages]
        complete = [a for a in found if len(messages[a["marker"]]) >= a["files"]]
        files = [name for a in found for name in messages[a["marker"]]]
        lines.append(f"| {label} | {len(sent)} | {len(found)} | {len(complete)} | {len(stack.missing_files(files))} |")
    lines.append(f"\n0-byte files in the media folder: {len(stack.empty_files())}")
    return lines


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merchants", type=int, default=50, help="merchants browsing and searching")
    parser.add_argument("--filers", type=int, default=5, help="merchants filing tickets and replying")
    parser.add_argument("--agents", type=int, default=3, help="agents working the queue and replying")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn sync workers (make serve: 2)")
    args = parser.parse_args()
    VAR.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="wt_load_bench_"))
    folder.chmod(0o755)  # the cluster runs as the postgres account when this runs as root
    ack_file = folder / "acknowledged.jsonl"
    stack = Stack(folder, web_workers=args.web_workers, collectstatic=True)
    try:
        print("starting PostgreSQL, Redis, gunicorn and the task worker on 127.0.0.1 …", flush=True)
        stack.start()
        stack.create_agents(args.agents)
        before = Path("/proc/loadavg").read_text().split()[:3]
        print(f"load for {args.duration} s on {stack.base} (load average before: {' '.join(before)}) …", flush=True)
        run_locust(stack, args, ack_file)
        after = Path("/proc/loadavg").read_text().split()[:3]
        time.sleep(2)  # the last answers' transactions are committed before they are answered; margin only
        acknowledged = [json.loads(line) for line in ack_file.read_text().splitlines()] if ack_file.exists() else []
        pages, total, failures = page_table()
        report = io.StringIO()
        print(
            f"# Load test, {time.strftime('%Y-%m-%d %H:%M')}\n\n{args.merchants} merchants browsing, {args.filers} "
            f"filing, {args.agents} agents, {args.duration} s, spawn rate {args.spawn_rate}/s; gunicorn "
            f"{args.web_workers} sync workers + bin/task-worker, PostgreSQL 15 and Redis on this machine "
            f"({os.cpu_count()} CPUs, shared); load average {' '.join(before)} before, {' '.join(after)} at the end.\n",
            file=report,
        )
        print("\n".join(pages), file=report)
        print(f"\n{total} requests, {failures} failures (not 2xx/3xx).\n", file=report)
        print("\n".join(stored_check(stack, acknowledged)), file=report)
        print(f"\nworker restarts during the run: {stack.worker_restarts()}", file=report)
        (VAR / "load-last.md").write_text(report.getvalue(), encoding="utf-8")
        print(report.getvalue())
    finally:
        stack.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
