"""Shared fixtures: the three personas every ticket view is tried with, and the loaded knowledge base."""

import os
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Every test writes uploads to its own folder, so nothing leaks between tests or into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SEARCH_LOG_SPOOL_DIR = tmp_path / "search-log"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    from django.core.cache import cache

    default = settings.CACHES["default"]
    if default["BACKEND"] == "portal.cache.FileBasedCache":
        # A folder per xdist worker: otherwise one worker's clear() empties the rate-limit counters another
        # worker's test is in the middle of counting.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        settings.CACHES = {**settings.CACHES, "default": {**default, "LOCATION": f"{default['LOCATION']}-{worker}"}}
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
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped knowledge base once per test database, exactly as `make run` loads it."""
    with django_db_blocker.unblock():
        call_command("kb_load", verbosity=0)


@pytest.fixture
def loaded_kb(db):
    """The shipped knowledge base; reloaded if a transactional test flushed the database."""
    from kb.models import Article

    if not Article.objects.exists():
        call_command("kb_load", verbosity=0)


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
