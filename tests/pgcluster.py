"""A throwaway PostgreSQL cluster for fault tests: its own folder and port, killed mid-test with
`pg_ctl stop -m immediate` (a crash, not a clean shutdown) and started again.

Tests that need it skip when the server binaries are missing, except in CI (CI=true), where that is a
failure: the fault tests must run somewhere.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def _binary(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]), reverse=True)
    return shutil.which(name) or (found[0] if found else None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; a root test run (a container) uses the postgres account.
    if os.geteuid() == 0 and shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class Cluster:
    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.initdb, self.pg_ctl = _binary("initdb"), _binary("pg_ctl")

    def _run(self, *args: str) -> None:
        subprocess.run(_as_server_user([str(a) for a in args]), check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, user="postgres")
        self._run(self.initdb, "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(self.pg_ctl, "-D", self.data, "-l", self.folder / "server.log", "-w", "-o", options, "start")

    def kill(self) -> None:
        self._run(self.pg_ctl, "-D", self.data, "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        subprocess.run(_as_server_user([self.pg_ctl, "-D", str(self.data), "-m", "fast", "stop"]), capture_output=True)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def throwaway_cluster():
    """A started cluster (generator for a fixture); stopped and removed afterwards."""
    if not (_binary("initdb") and _binary("pg_ctl")):
        message = "PostgreSQL server binaries (initdb, pg_ctl) are not installed: the database fault tests cannot run"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="wt_worker_pg_"))
    cluster = Cluster(folder)
    cluster.init()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def portal_env(cluster: Cluster, database_url: str, var_dir: Path, **extra: str) -> dict:
    """The environment of a portal process (server, worker, command) on the throwaway database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "PYTEST_", "DJANGO_"))}
    env.update(
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="0",
        PORTAL_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="portal.settings",
        REDIS_URL="",
        # No collectstatic in a test: the plain storage needs no manifest.
        STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
        **extra,
    )
    return env
