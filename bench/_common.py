"""Helpers shared by the HTTP benchmarks: production settings, throwaway databases, gunicorn by PID, wrk.

Every server these scripts start listens on 127.0.0.1 only and is stopped by its PID in a `finally`.
"""

import http.client
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PYTHON = sys.executable
BARE_PATH = "/__bench__/bare5k/"


def production_env(*, database_url: str, redis_url: str = "", var_dir: Path = VAR, secret: str = "") -> dict:
    """The environment `make serve` gives the portal, on loopback over plain HTTP, through bench/overlay.py."""
    env = {
        **os.environ,
        "PORTAL_ENV": "production",
        "SECRET_KEY": secret or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_HSTS_PRELOAD": "0",
        "TASKS_BACKEND": "database",
        "DATABASE_URL": database_url,
        "PORTAL_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "bench.overlay",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def runserver_env(var: str) -> dict:
    """The environment of a one-process `runserver` on a throwaway folder (DEBUG off, SQLite there), for the
    benchmarks that file tickets: the ticket limit raised so repeated runs are not refused."""
    return {
        **os.environ,
        "PORTAL_VAR_DIR": var,
        "DATABASE_URL": "",
        "DEBUG": "0",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "TICKET_RATE_LIMIT": "1000",
        "LOG_LEVEL": "WARNING",
    }


def reset_database(url: str) -> None:
    """Drop and recreate the database `url` names (SQLite: delete the file and its WAL)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "sqlite":
        path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"refusing to drop a database named {name!r}")
    server = urllib.parse.urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def clear_local_state(var_dir: Path) -> None:
    """The folder cache and the search-log spool belong to the database just dropped: a cached page or an
    unflushed log from the last run must not be served or stored into this one."""
    for name in ("cache", "spool"):
        shutil.rmtree(var_dir / name, ignore_errors=True)


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare_site(env: dict) -> None:
    """Migrate, load and render the shipped knowledge base, and collect hashed static files, as `make serve`."""
    manage(env, "compilemessages", "--ignore=.venv", "-v0")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "kb_load", "-v0")
    manage(env, "kb_rerender", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")


# --- gunicorn -------------------------------------------------------------------------------------


def request(port: int, path: str, headers: dict | None = None, method: str = "GET", body: bytes | None = None):
    """One request on a fresh connection; returns (response, body bytes as sent: still compressed)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def _exit_on_sigterm(signum, _frame):
    raise SystemExit(128 + signum)


class Gunicorn:
    """gunicorn with sync workers on 127.0.0.1:port; `with Gunicorn(...) as server:` stops it by PID."""

    def __init__(self, env: dict, port: int, workers: int = 2):
        self.env, self.port, self.workers = env, port, workers
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        if _port_open(self.port):
            raise SystemExit(f"port {self.port} is already in use")
        # A benchmark stopped with kill stops its gunicorn too: as SystemExit, this block's exit still runs.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        log = (VAR / f"gunicorn-{self.port}.log").open("w")
        command = [PYTHON, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(self.workers), "--worker-class", "sync", "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=log)
        try:
            self._wait_until_up(log.name)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_up(self, log_name: str) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {log_name}")
            # Every worker must be up before anything is measured.
            up = _port_open(self.port) and request(self.port, BARE_PATH)[0].status == 200
            if up and len(self.worker_pids()) == self.workers:
                return
            time.sleep(0.3)
        raise SystemExit("gunicorn did not answer within 90 s")

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def worker_rss_mb(self) -> list[float]:
        return [rss_mb(pid) for pid in self.worker_pids()]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def login_cookie(port: int, username: str, password: str, path: str = "/accounts/login/") -> str:
    """Sign in through the portal's own form, as a browser does; returns a `Cookie:` header value."""
    url = f"http://127.0.0.1:{port}{path}"
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(url, timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
    opener.open(urllib.request.Request(url, data=data.encode(), headers={"Referer": url}), timeout=30).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"sign-in as {username} failed")
    return "; ".join(f"{k}={v}" for k, v in sorted(cookies.items()))


def drain(port: int) -> None:
    """Wait until the requests wrk abandoned are done: a sync worker finishes every request it accepted."""
    fast = 0
    for _ in range(240):
        started = time.perf_counter()
        request(port, BARE_PATH)
        fast = fast + 1 if time.perf_counter() - started < 0.05 else 0
        if fast >= 3:
            return


def _idle_fraction(seconds: float = 1.0) -> float:
    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return sum(values), values[3] + values[4]  # all ticks, idle + iowait

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return (idle1 - idle0) / max(1, total1 - total0)


def wait_for_quiet(limit_s: int = int(os.environ.get("BENCH_QUIET_MAX", "15"))) -> None:
    """Other people's work shares these 2 cores: start a run once no other wrk runs and the CPUs are
    mostly idle for 3 s in a row, or after `limit_s` seconds whatever the load (the wait is bounded)."""
    deadline = time.monotonic() + limit_s
    quiet = 0
    while time.monotonic() < deadline and quiet < 3:
        other_wrk = subprocess.run(["pgrep", "-x", "wrk"], capture_output=True).returncode == 0
        quiet = quiet + 1 if not other_wrk and _idle_fraction() >= 0.8 else 0


# --- wrk -------------------------------------------------------------------------------------------

_UNIT_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNIT_MS[unit]


def wrk(port: int, path: str, *, duration_s: int, headers: dict, script: Path | None = None) -> dict:
    """`wrk -t2 -c16 --latency` for `duration_s`; returns req/s, p50/p99 ms and the non-2xx/3xx count."""
    command = ["wrk", "-t2", "-c16", f"-d{duration_s}s", "--latency", "--timeout", "30s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
    }


def cycle_script(paths: list[str], directory: Path) -> Path:
    """A wrk Lua script that requests `paths` in turn on each connection."""
    quoted = ", ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    text = (
        f"local paths = {{{quoted}}}\nlocal n = 0\n"
        "request = function()\n  n = n % #paths + 1\n  return wrk.format(nil, paths[n])\nend\n"
    )
    path = directory / f"cycle-{abs(hash(tuple(paths)))}.lua"
    path.write_text(text, encoding="utf-8")
    return path


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@contextmanager
def agents_on_test_database(*usernames: str) -> Iterator[list]:
    """In a benchmark's child process: Django set up as the tests run it, a throwaway test database, and one
    staff user per name in the support agents' group (the agent-console benchmarks sign in as the first)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    # Served as in development: no collectstatic manifest is needed to render the page.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        group = Group.objects.get(name="Support agents")
        agents = []
        for username in usernames:
            agent = get_user_model().objects.create_user(username=username, password="x", is_staff=True)
            agent.groups.add(group)
            agents.append(agent)
        yield agents
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
