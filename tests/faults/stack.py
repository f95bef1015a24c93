"""A whole portal on throwaway servers, for fault tests and the load benchmark: a PostgreSQL cluster
(tests/pgcluster.py), a redis-server, gunicorn with production settings and the supervised task worker
(bin/task-worker), all on 127.0.0.1 (the load sent to it: tests/faults/load.py).

Everything started here is stopped by its PID (or process group) in `Stack.stop`; every loop is bounded in
count and time.
"""

import errno
import os
import secrets
import shutil
import signal
import socketserver
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests

from tests.pgcluster import Cluster, free_port, portal_env

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
AGENT_PASSWORD = "load-agent-password-1"  # a throwaway database
# Off for the load: the benchmark and the faults measure the portal, not its limits (each one is proven
# by its own tests). Values far above anything a short run can reach.
NO_RATE_LIMITS = dict.fromkeys(
    (
        "TICKET_RATE_LIMIT",
        "TICKET_RATE_LIMIT_PER_ADDRESS",
        "TICKET_REPLY_RATE_LIMIT",
        "SEARCH_RATE_PER_MINUTE",
        "SEARCH_LOG_PER_MINUTE",
        "SEARCH_OPEN_PER_MINUTE",
        "VOTE_NEW_VISITOR_PER_HOUR",
        "SIGNUP_PER_HOUR",
    ),
    "1000000",
)


class SmtpSink:
    """A tiny SMTP server on 127.0.0.1: takes every message (kept in `messages`), or, while `refusing`,
    answers each connection with 421 and hangs up, as a mail server that is down for maintenance."""

    def __init__(self):
        self.port = free_port()
        self.refusing = False
        self.messages: list[bytes] = []
        self.refused = 0
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 10

            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self) -> None:
                if sink.refusing:
                    sink.refused += 1
                    self.reply("421 4.3.2 Service not available, closing transmission channel")
                    return
                self.reply("220 sink ESMTP")
                for _ in range(1000):  # bounded: one message per connection is all Django sends
                    line = self.rfile.readline()
                    if not line:
                        return
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.reply("250 sink")
                    elif verb == b"DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        body = []
                        for raw in iter(self.rfile.readline, b""):
                            if raw in (b".\r\n", b".\n"):
                                break
                            body.append(raw)
                        sink.messages.append(b"".join(body))
                        self.reply("250 2.0.0 queued")
                    elif verb == b"QUIT":
                        self.reply("221 2.0.0 bye")
                        return
                    else:
                        self.reply("250 2.0.0 ok")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Stack:
    """gunicorn + bin/task-worker with production settings on a throwaway cluster, Redis and media folder.

    With `tmpfs_mb` and root, MEDIA_ROOT is a tmpfs of that size (a disk that really fills); otherwise a
    plain folder, and `disk_full()` switches on tests/faults/full_storage.py's refusing storage instead."""

    folder: Path
    web_workers: int = 2
    tmpfs_mb: int = 0
    extra_env: dict = field(default_factory=dict)
    collectstatic: bool = False

    def __post_init__(self):
        self.cluster: Cluster | None = None
        self.redis = None
        self.sink: SmtpSink | None = None
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.media = self.folder / "media"
        self.mounted = False
        self.filler = self.media / ".disk-filler"
        self.full_flag = self.folder / "disk-full"

    # -- start and stop

    def start(self) -> "Stack":
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        (self.folder / "pg").mkdir(parents=True)
        (self.folder / "var").mkdir()
        self.media.mkdir()
        self.cluster = Cluster(self.folder / "pg")
        self.cluster.init()
        self.cluster.start()
        database_url = self.cluster.create_database("wt_load_portal")
        from tests.infra.conftest import RedisServer  # imported here: it brings moto, which the load test need not

        self.redis = RedisServer(self.folder)
        self.redis.start()
        self.sink = SmtpSink()
        self.sink.start()
        self._mount_media()
        self.env = portal_env(self.cluster, database_url, self.folder / "var")
        self.env.update(
            PORTAL_ENV="production",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0",
            SECURE_COOKIES="0",
            SECURE_HSTS_SECONDS="0",
            SECURE_HSTS_PRELOAD="0",
            TASKS_BACKEND="database",
            REDIS_URL=self.redis.url,
            MEDIA_ROOT=str(self.media),
            DATABASE_CONN_MAX_AGE="60",  # production's default: persistent connections meet the outage
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.sink.port),
            EMAIL_TIMEOUT="5",
            LOG_LEVEL="WARNING",
            PYTHON=PYTHON,
            PYTHONPATH=str(ROOT),
            **NO_RATE_LIMITS,
        )
        if not self.mounted:
            self.env.update(DJANGO_SETTINGS_MODULE="tests.faults.full_storage", FULL_DISK_FLAG=str(self.full_flag))
        if self.collectstatic:
            self.env.pop("STATICFILES_STORAGE")
        self.env.update(self.extra_env)
        self.manage("migrate", "--noinput", "-v0")
        self.manage("kb_load", "-v0")
        if self.collectstatic:
            self.manage("collectstatic", "--noinput", "-v0")
        self.start_web()
        self.start_worker()

    def _mount_media(self) -> None:
        if not self.tmpfs_mb or os.geteuid() != 0:
            return
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={self.tmpfs_mb}m", "tmpfs", str(self.media)], capture_output=True
        )
        self.mounted = mounted.returncode == 0

    def manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed: {done.stderr[-2000:]}")
        return done.stdout

    def start_web(self) -> None:
        command = [PYTHON, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(self.web_workers), "--worker-class", "sync", "--log-level", "warning"]
        with (self.folder / "gunicorn.log").open("a") as log:
            self.web = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.web.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {(self.folder / 'gunicorn.log').read_text()[-2000:]}")
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 90 s")

    def start_worker(self) -> None:
        with self.worker_log.open("a") as log:
            self.worker = subprocess.Popen(
                [str(ROOT / "bin/task-worker"), "--interval", "0.5"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # the loop and its db_worker are stopped together
            )

    @property
    def worker_log(self) -> Path:
        return self.folder / "worker.log"

    def stop(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGTERM)
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
                self.worker.wait(timeout=10)
        if self.web is not None and self.web.poll() is None:
            self.web.terminate()
            try:
                self.web.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.web.kill()
                self.web.wait(timeout=10)
        if self.sink is not None:
            self.sink.stop()
        if self.redis is not None:
            self.redis.stop()
        if self.cluster is not None:
            self.cluster.stop()
        if self.mounted:
            subprocess.run(["umount", str(self.media)], capture_output=True)
            self.mounted = False
        self._keep_logs()

    def _keep_logs(self) -> None:
        """The servers' logs outlive the throwaway folder, for reading after a failed run."""
        kept = ROOT / "var" / "faults" / "logs"
        kept.mkdir(parents=True, exist_ok=True)
        for log in (self.folder / "gunicorn.log", self.worker_log, self.folder / "pg" / "server.log"):
            if log.exists():
                shutil.copyfile(log, kept / log.name)

    def create_agents(self, count: int) -> list[str]:
        """`count` staff accounts in the "Support agents" group, all with AGENT_PASSWORD."""
        names = [f"load-agent-{n}" for n in range(count)]
        code = (
            "from django.contrib.auth import get_user_model\n"
            "from django.contrib.auth.models import Group\n"
            "group = Group.objects.get(name='Support agents')\n"
            f"for name in {names!r}:\n"
            "    user = get_user_model().objects.create_user(username=name, email=name + '@example.com',"
            f" password={AGENT_PASSWORD!r}, is_staff=True)\n"
            "    user.groups.add(group)\n"
        )
        self.manage("shell", "-c", code)
        return names

    # -- the worker

    def worker_restarts(self) -> int:
        return self.worker_log.read_text(errors="replace").count("db_worker exited") if self.worker_log.exists() else 0

    def db_worker_pid(self) -> int | None:
        """The running `manage.py db_worker` under the supervising loop, if any."""
        children = Path(f"/proc/{self.worker.pid}/task/{self.worker.pid}/children")
        for pid in children.read_text().split() if children.exists() else []:
            try:
                if b"db_worker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return int(pid)
            except OSError:
                continue
        return None

    def enqueue_heartbeat(self) -> str:
        code = "from infra.tasks import worker_heartbeat; print(worker_heartbeat.enqueue().id)"
        return self.manage("shell", "-c", code).strip().splitlines()[-1]

    # -- the database, read as an operator would

    def query(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        with psycopg.connect(self.env["DATABASE_URL"], connect_timeout=5) as connection:
            return connection.execute(sql, params).fetchall()

    def task_status(self, task_id: str) -> str:
        try:
            rows = self.query("SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s", [task_id])
        except psycopg.OperationalError:
            return ""
        return rows[0][0] if rows else ""

    def stored(self, submission_keys: list[str]) -> dict[str, list[tuple[str, str, int]]]:
        """For each submission key that has a ticket: its attachments (file, thumbnail, size)."""
        rows = self.query(
            "SELECT t.submission_key, a.file, a.thumbnail, a.size FROM tickets_ticket t "
            "LEFT JOIN tickets_attachment a ON a.ticket_id = t.id WHERE t.submission_key = ANY(%s)",
            [submission_keys],
        )
        found: dict[str, list] = {}
        for key, name, thumbnail, size in rows:
            found.setdefault(key, [])
            if name:
                found[key].append((name, thumbnail, size))
        return found

    def missing_files(self, names: list[str]) -> list[str]:
        """Stored names with no file, or an empty one, under MEDIA_ROOT."""
        missing = []
        for name in names:
            path = self.media / name
            if not path.is_file() or path.stat().st_size == 0:
                missing.append(name)
        return missing

    def unreferenced_files(self) -> list[str]:
        """Ticket files on disk that no attachment or pending upload names: left behind by a failed send."""
        named = {
            name
            for table in ("tickets_attachment", "tickets_pendingupload")
            for row in self.query(f"SELECT file, thumbnail FROM {table}")  # noqa: S608 (two fixed names)
            for name in row
            if name
        }
        on_disk = (p for p in (self.media / "tickets").rglob("*") if p.is_file())
        return sorted(str(p) for p in on_disk if str(p.relative_to(self.media)) not in named)

    def empty_files(self) -> list[str]:
        return [str(p) for p in self.media.rglob("*") if p.is_file() and p.stat().st_size == 0 and p != self.filler]

    # -- faults

    def disk_full(self) -> None:
        """The media disk fills up: the tmpfs written full with one file, or the refusing storage on."""
        if self.mounted:
            with self.filler.open("wb") as filler:
                chunk = b"\0" * 65536
                for _ in range(self.tmpfs_mb * 64):  # bounded: the mount's size in 64 KB pieces
                    try:
                        filler.write(chunk)
                        filler.flush()
                    except OSError as error:
                        if error.errno != errno.ENOSPC:
                            raise
                        break
        else:
            self.full_flag.touch()

    def disk_freed(self) -> None:
        self.filler.unlink(missing_ok=True)
        self.full_flag.unlink(missing_ok=True)

    # -- polling

    def readiness(self) -> tuple[int, list[str]]:
        try:
            response = requests.get(self.base + "/readyz", timeout=10)
            return response.status_code, response.json().get("failing", [])
        except (requests.RequestException, ValueError):
            return 0, ["(no answer)"]

    def wait_ready(self, timeout: float = 60) -> float:
        """Seconds until /readyz answers 200 (polled every 0.25 s); raises after `timeout`."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.readiness()[0] == 200:
                return time.monotonic() - started
            time.sleep(0.25)  # real servers recovering: polled, there is no clock to move
        raise AssertionError(f"/readyz not 200 within {timeout} s: {self.readiness()}")

    def wait_failing(self, part: str, timeout: float = 20) -> list[str]:
        """The `failing` list once it names `part` (raises after `timeout`)."""
        deadline = time.monotonic() + timeout
        failing: list[str] = []
        while time.monotonic() < deadline:
            _status, failing = self.readiness()
            if part in failing:
                return failing
            time.sleep(0.25)
        raise AssertionError(f"/readyz never named {part!r} within {timeout} s (last: {failing})")


def until(check, what: str, timeout: float = 60, every: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)  # real processes: polled, there is no clock to move
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
