"""Shared fixtures: the three personas every ticket view is tried with, and the loaded knowledge base; and
what keeps parallel runs apart (pytest-xdist): each worker has its own test database, cache and Redis
database."""

import functools
import importlib
import os
import shutil
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test.utils import override_settings

from tests.kb_snapshot import KbSnapshot

# The real OCR server, one per worker for the whole session (loading its models costs seconds of CPU on the
# first photo): defined here once, not imported into each module, where each import was a fixture of its own
# and so another server.
from tests.ocr_server import busy_server, ocr_server, ocr_socket  # noqa: F401

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"
# The first Redis database the tests use: worker gw0 gets it, gw1 the next, and so on; a run without
# xdist uses the first. `cache.clear()` empties a whole database, so no two workers may share one; and the
# database REDIS_URL names (a developer's own cache) is never the one the tests empty, unless it is one of these.
FIRST_TEST_REDIS_DB = int(os.environ.get("TEST_REDIS_DB", "10"))


def _worker_number() -> int:
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def redis_url_for_tests() -> str:
    """REDIS_URL's server (or the default one on this machine), on this worker's own database."""
    parts = urlsplit(django_settings.REDIS_URL or DEFAULT_REDIS_URL)
    return parts._replace(path=f"/{FIRST_TEST_REDIS_DB + _worker_number()}").geturl()


@functools.cache
def _redis_problem(url: str) -> str:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception as error:
        return f"Redis is not answering at {url}: {error}"
    return ""


def _require_redis(url: str) -> None:
    """A test that needs Redis is skipped when it is down, except in CI, where that is a failure."""
    problem = _redis_problem(url)
    if problem and os.environ.get("CI") == "true":
        pytest.fail(f"{problem} (CI=true: the Redis tests must run)", pytrace=False)
    if problem:
        pytest.skip(problem)


def _redis_settings(url: str) -> dict:
    # As portal/settings.py configures a site with REDIS_URL.
    options = {
        "IGNORE_EXCEPTIONS": True,
        "SOCKET_CONNECT_TIMEOUT": django_settings.REDIS_CONNECT_TIMEOUT_MS / 1000,
        "SOCKET_TIMEOUT": django_settings.REDIS_SOCKET_TIMEOUT_MS / 1000,
        "CONNECTION_POOL_CLASS": "infra.cache.ConnectionPool",
    }
    return {
        "REDIS_URL": url,
        "CACHES": {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "OPTIONS": options}},
        "SESSION_ENGINE": "infra.sessions",
    }


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request):
    """The test database lives in a file (var/test-db.sqlite3), not in memory, so `--reuse-db` can keep
    it between runs; TEST_DATABASE_NAME names it (a path for SQLite, a database for PostgreSQL, where the
    default is test_<name>). pytest-django's own fixture then adds each xdist worker's suffix (_gw0…)."""
    database = django_settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    if os.environ.get("TEST_DATABASE_NAME"):
        test["NAME"] = os.environ["TEST_DATABASE_NAME"]
    elif database["ENGINE"] == "django.db.backends.sqlite3" and not test.get("NAME"):
        test["NAME"] = str(django_settings.VAR_DIR / "test-db.sqlite3")
    request.getfixturevalue("django_db_modify_db_settings_parallel_suffix")


@pytest.fixture(scope="session", autouse=True)
def _worker_cache(tmp_path_factory):
    """Each worker's own cache. With REDIS_URL (the production-services run), its own Redis database;
    without, its own folder (var/cache is shared by every worker and by `make run`)."""
    if django_settings.REDIS_URL:
        url = redis_url_for_tests()
        if _redis_problem(url):  # REDIS_URL asks for Redis: never a quiet run without it
            pytest.fail(f"REDIS_URL is set but {_redis_problem(url)}", pytrace=False)
        overrides = _redis_settings(url)
    else:
        location = str(tmp_path_factory.mktemp("cache"))
        overrides = {"CACHES": {"default": {**django_settings.CACHES["default"], "LOCATION": location}}}
    with override_settings(**overrides):
        yield


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    """SMS kept in memory (infra.sms.outbox), as Django keeps mail in mail.outbox."""
    from infra import sms

    settings.SMS_BACKEND = "infra.sms.backends.LocmemBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The personas' passwords are hashed in nearly every test; the real hasher is deliberately slow (0.3 s a
    # password here: set for every test, it halved the CPU time of `make test-fast`, 210 → 106 s).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _static_files_from_the_finders():
    """Static files served from the source folders (no collectstatic, no manifest), for the whole session:
    set per test, it changed between tests, and a live-server request still arriving from the test before
    could then build the manifest storage into Django's storage cache for the next test, whose every page
    became a 500 ("Missing staticfiles manifest entry")."""
    storages = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Every test writes uploads to its own folder, so nothing leaks between tests or into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def redis_cache(settings) -> str:
    """The cache, sessions and the page cache on Redis, as a site with REDIS_URL has them, on this
    worker's own database; its URL. Tests marked `redis` get it; they run wherever Redis answers."""
    url = redis_url_for_tests()
    _require_redis(url)
    if url != settings.REDIS_URL:
        for name, value in _redis_settings(url).items():
            setattr(settings, name, value)
    return url


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    from django.core.cache import cache

    if request.node.get_closest_marker("redis"):
        request.getfixturevalue("redis_cache")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def merchant(db):
    return get_user_model().objects.create_user(
        username="merchant", email="merchant@example.com", password="merchant-pass-123"
    )


@pytest.fixture
def agent(db):
    user = get_user_model().objects.create_user(
        username="agent", email="agent@example.com", password="agent-pass-123", is_staff=True
    )
    from agents import roles  # the agents' permissions as production grants them

    group, _ = Group.objects.get_or_create(name=roles.AGENTS)
    group.permissions.set(roles.role_permissions(roles.AGENTS, Permission))
    user.groups.add(group)
    return user


@pytest.fixture
def outsider(db):
    return get_user_model().objects.create_user(
        username="outsider", email="outsider@example.com", password="outsider-pass-123"
    )


@pytest.fixture
def editor(db):
    user = get_user_model().objects.create_user(username="editor", password="editor-pass-123", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="kb"))
    return user


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> KbSnapshot:
    """Load the shipped knowledge base once per test database, exactly as `make run` loads it, and put back
    the default time policy its data migration installs: a transactional test (migrations, outages) ends
    with a flush, so a database kept from an earlier run (--reuse-db) has lost it. Returns the knowledge
    base as loaded, which `loaded_kb` writes back after a flush (taken here, before any test can flush)."""
    from django.apps import apps

    default_policy = importlib.import_module("tickets.migrations.0003_sla").default_policy
    with django_db_blocker.unblock():
        call_command("kb_load", verbosity=0)
        default_policy(apps, None)  # get_or_create: nothing changes on a database that has it
        return KbSnapshot.take()


@pytest.fixture
def loaded_kb(db, django_db_setup):
    """The shipped knowledge base; written back if a transactional test flushed the database."""
    from kb.models import Article

    if not Article.objects.exists():
        django_db_setup.restore()


def pytest_collection_modifyitems(config, items):
    """Tests marked `sqlite` or `postgres` belong to that database: on the other one they are deselected
    (not skipped), so each CI run reports only tests that actually ran."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    other = "postgres" if "sqlite" in engine else "sqlite"
    deselected = [item for item in items if item.get_closest_marker(other)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker(other)]


@pytest.fixture
def view_only_staff(db):
    """Staff who may read tickets but not change them: they must never write."""
    user = get_user_model().objects.create_user(username="viewer", password="viewer-pass-123", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="tickets", codename__startswith="view_")
    )
    return user
