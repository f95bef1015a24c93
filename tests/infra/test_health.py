"""/healthz (liveness) and /readyz (readiness): each dependency failing on its own is named in a 503."""

from datetime import timedelta
from importlib import import_module
from unittest import mock

import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from infra.tasks import worker_heartbeat

QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class ReadOnlyStorage(FileSystemStorage):
    """A media folder that refuses writes (chmod would not stop tests that run as root)."""

    def _save(self, name, content):
        raise PermissionError(13, "Read-only file system", name)


def readiness(client):
    response = client.get("/readyz")
    return response.status_code, response.json()


def test_the_liveness_check_answers_without_any_database(client):
    # No `db` fixture: pytest-django refuses every query, so any database use would be a 500.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_the_liveness_check_stays_up_while_the_database_is_down(client):
    with mock.patch.dict(connections.settings["default"], {"NAME": "/nonexistent/folder/db", "PORT": "1"}):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503


@pytest.mark.django_db
def test_readiness_passes_when_every_part_works(client):
    status, body = readiness(client)

    assert status == 200
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["checks"] == dict.fromkeys(["database", "cache", "storage", "task_worker", "task_backlog"], "ok")


@pytest.mark.django_db(transaction=True)
def test_readiness_names_an_unreachable_database(client):
    # The database check opens a connection of its own, which this broken setting makes fail.
    with mock.patch.dict(connections.settings["default"], {"NAME": "/nonexistent/folder/db", "PORT": "1"}):
        status, body = readiness(client)

    assert status == 503
    assert body["failing"] == ["database"]


@pytest.mark.django_db
def test_readiness_names_a_cache_that_does_not_answer(client):
    closed_port = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/3",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.1},  # as production runs it
        }
    }
    with override_settings(CACHES=closed_port):
        status, body = readiness(client)

    assert status == 503
    assert body["failing"] == ["cache"]


@pytest.mark.django_db
def test_readiness_names_a_storage_that_refuses_writes(client, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.ReadOnlyStorage"}}

    status, body = readiness(client)

    assert status == 503
    assert body["failing"] == ["storage"]


@pytest.mark.django_db
def test_readiness_names_a_task_worker_that_left_the_heartbeat_waiting(client, settings):
    settings.TASKS = QUEUED
    settings.HEALTH_WORKER_MAX_AGE_SECONDS = 60
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert readiness(client)[0] == 200  # queues the heartbeat: no worker has had time to answer yet
        clock.shift(timedelta(seconds=61))
        status, body = readiness(client)

    assert status == 503
    assert body["failing"] == ["task_worker"]
    assert "heartbeat" in body["checks"]["task_worker"]


@pytest.mark.django_db(transaction=True)
def test_readiness_recovers_once_a_worker_runs_the_heartbeat(client, settings):
    from django.core.management import call_command

    settings.TASKS = QUEUED
    settings.HEALTH_WORKER_MAX_AGE_SECONDS = 60
    with time_machine.travel(timezone.now(), tick=False) as clock:
        readiness(client)
        clock.shift(timedelta(seconds=61))
        assert readiness(client)[0] == 503
        call_command("db_worker", batch=True, queue_name="*", verbosity=0)
        status, body = readiness(client)

    assert status == 200, body


@pytest.mark.django_db
def test_an_idle_night_is_not_mistaken_for_a_dead_worker(client, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = QUEUED
    settings.HEALTH_WORKER_MAX_AGE_SECONDS = 60
    with time_machine.travel(timezone.now(), tick=False) as clock:
        readiness(client)
        DBTaskResult.objects.update(status="SUCCESSFUL", started_at=timezone.now(), finished_at=timezone.now())
        clock.shift(timedelta(hours=8))  # no probe, no task all night
        status, _ = readiness(client)

    assert status == 200


@pytest.mark.django_db
def test_readiness_names_a_task_backlog_over_the_threshold(client, settings):
    settings.TASKS = QUEUED
    settings.HEALTH_TASK_BACKLOG_MAX = 3
    for _ in range(3):
        worker_heartbeat.enqueue()

    status, body = readiness(client)  # its own heartbeat makes four

    assert status == 503
    assert body["failing"] == ["task_backlog"]


@pytest.mark.django_db
def test_a_backlog_at_the_threshold_is_still_ready(client, settings):
    settings.TASKS = QUEUED
    settings.HEALTH_TASK_BACKLOG_MAX = 3
    for _ in range(2):
        worker_heartbeat.enqueue()

    assert readiness(client)[0] == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_health_answers_are_never_cached(client, url):
    assert "no-cache" in client.get(url)["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_health_answers_read_no_session_and_set_no_cookie(client, settings, url):
    store = import_module(settings.SESSION_ENGINE).SessionStore
    client.cookies[settings.SESSION_COOKIE_NAME] = "a-session-key-a-probe-should-never-look-up"
    with mock.patch.object(store, "load", side_effect=AssertionError("the session was read")):
        response = client.get(url)

    assert response.status_code == 200
    assert not response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_health_answers_are_not_rate_limited(client, settings, url):
    settings.SEARCH_RATE_PER_MINUTE = settings.TICKET_RATE_LIMIT_PER_ADDRESS = 1

    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_health_is_not_redirected_for_a_visitor_who_chose_english(client, url):
    client.cookies["django_language"] = "en"

    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_health_refuses_a_post(client, url):
    assert client.post(url).status_code == 405
