"""Throwaway servers: a local S3-compatible server (moto's standalone server mode) with a fresh bucket per test,
and a redis-server per test that the test may kill, freeze and start again."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time

import boto3
import pytest
import redis
from moto.server import ThreadedMotoServer


@pytest.fixture(scope="session")
def s3_endpoint():
    """One local S3-compatible server for the session, on a port the system picks (so none ever collides)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


class Bucket:
    """The bucket as an operator would inspect it, beside the portal's own view of it."""

    def __init__(self, endpoint: str, name: str):
        self.name = name
        # The portal's configuration for this bucket, as production sets it.
        self.env = {
            "S3_BUCKET": name,
            "S3_ENDPOINT_URL": endpoint,
            "S3_ACCESS_KEY_ID": "testing",
            "S3_SECRET_ACCESS_KEY": "testing",
        }
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        self.client.create_bucket(Bucket=name)

    def object_keys(self) -> set[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return {item["Key"] for item in listing.get("Contents", [])}

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def grants(self, key: str) -> list[dict]:
        return self.client.get_object_acl(Bucket=self.name, Key=key)["Grants"]


@pytest.fixture
def bucket(s3_endpoint) -> Bucket:
    return Bucket(s3_endpoint, f"portal-media-{secrets.token_hex(6)}")


class RedisServer:
    """A throwaway redis-server on a free port, which a test may kill, freeze and start again. Nothing is
    saved unless a test asks (SAVE), as production's cache should be run; a snapshot it saved is loaded
    again on restart, as after a Redis restart in production."""

    def __init__(self, folder):
        self.folder = folder
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [*command, "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        pytest.fail(f"redis-server did not start on port {self.port}")

    def client(self):
        return redis.Redis.from_url(self.url, socket_timeout=5)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()


@pytest.fixture
def redis_server(tmp_path, settings):
    """The portal's cache, sessions and rate limits on a throwaway Redis, configured as production does
    (portal/settings.py with REDIS_URL). Skipped without redis-server, except in CI, where it fails."""
    if shutil.which("redis-server") is None:
        message = "redis-server is not installed (apt-get install redis-server): the Redis fault tests need it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from django.core.cache import cache

    from infra import cache as shared_cache

    server = RedisServer(tmp_path)
    server.start()
    production = {
        "BACKEND": "django_redis.cache.RedisCache",
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": settings.REDIS_CONNECT_TIMEOUT_MS / 1000,
            "SOCKET_TIMEOUT": settings.REDIS_SOCKET_TIMEOUT_MS / 1000,
            "CONNECTION_POOL_CLASS": "infra.cache.ConnectionPool",
        },
    }
    before = settings.CACHES, settings.REDIS_URL, settings.SESSION_ENGINE
    settings.CACHES = {**settings.CACHES, "default": {**production, "LOCATION": server.url}}
    settings.REDIS_URL = server.url
    settings.SESSION_ENGINE = "infra.sessions"
    shared_cache.forget_outage()
    try:
        yield server
    finally:
        cache.close()
        # Back to the suite's cache before the server goes, so clearing it afterwards (_fresh_cache) does not
        # fail against the dead server and make the next test wait out an outage.
        settings.CACHES, settings.REDIS_URL, settings.SESSION_ENGINE = before
        server.stop()
        shared_cache.forget_outage()
