"""Settings come from the environment; each case starts a fresh Python so module-level settings are re-read."""

import os
import re
import secrets
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

BASE_DIR = settings.BASE_DIR
PRODUCTION = {"PORTAL_ENV": "production", "ALLOWED_HOSTS": "help.example.com"}


@pytest.fixture
def run(tmp_path):
    """Run a command in a clean environment: only PATH/HOME, a throwaway var folder, and what the test sets."""

    def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
        clean = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
            "PORTAL_VAR_DIR": str(tmp_path),
        }
        return subprocess.run(
            [sys.executable, *args], cwd=BASE_DIR, env=clean | env, capture_output=True, text=True, timeout=120
        )

    return run


def _setting(run, expression: str, **env: str) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = run(["-c", code], DJANGO_SETTINGS_MODULE="portal.settings", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_refuses_to_start_without_a_secret_key(run):
    result = run(["manage.py", "check"], **PRODUCTION)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(run):
    result = run(["manage.py", "check"], PORTAL_ENV="production", SECRET_KEY=secrets.token_urlsafe(50))

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must list" in result.stderr


def test_production_refuses_to_start_with_debug_on(run):
    result = run(["manage.py", "check"], **PRODUCTION, SECRET_KEY=secrets.token_urlsafe(50), DEBUG="1")

    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_the_deploy_check_has_no_warnings_with_production_variables(run, tmp_path):
    # The model checks ask the database its version (the queue's generated columns), so it must be one
    # that answers: the suite's PostgreSQL server (its maintenance database) on that run, else a SQLite file.
    server = os.environ.get("DATABASE_URL", "")
    database = (
        urlunsplit(urlsplit(server)._replace(path="/postgres"))
        if server.startswith("postgres")
        else f"sqlite:///{tmp_path / 'check.sqlite3'}"
    )
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION,
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database,
        REDIS_URL="redis://cache.internal:6379/0",
        BEHIND_TLS_PROXY="1",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_is_off_by_default(run):
    assert _setting(run, "settings.DEBUG") == "False"


def test_debug_can_be_turned_on_for_development(run):
    assert _setting(run, "settings.DEBUG", DEBUG="true") == "True"


@pytest.mark.parametrize(("name", "value"), [("DEBUG", "maybe"), ("SECURE_COOKIES", "sometimes")])
def test_a_bad_boolean_fails_loudly(run, name, value):
    result = run(["manage.py", "check"], **{name: value})

    assert result.returncode != 0
    assert f"{name}={value!r} is not a boolean" in result.stderr


def test_a_bad_number_fails_loudly(run):
    result = run(["manage.py", "check"], KB_IMAGE_MAX_BYTES="5MB")

    assert result.returncode != 0
    assert "KB_IMAGE_MAX_BYTES='5MB' is not a whole number" in result.stderr


def test_an_unknown_portal_env_fails_loudly(run):
    result = run(["manage.py", "check"], PORTAL_ENV="staging")

    assert result.returncode != 0
    assert "PORTAL_ENV='staging'" in result.stderr


def test_the_embedded_default_is_sqlite_in_the_var_folder(run, tmp_path):
    assert _setting(run, "settings.DATABASES['default']['ENGINE']") == "django.db.backends.sqlite3"
    assert _setting(run, "settings.DATABASES['default']['NAME']") == str(tmp_path / "db.sqlite3")
    assert _setting(run, "settings.MEDIA_ROOT") == str(tmp_path / "media")


def test_a_database_url_selects_postgresql(run):
    url = "postgres://portal:secret@db.internal:5432/portal"

    assert _setting(run, "settings.DATABASES['default']['ENGINE']", DATABASE_URL=url) == "django.db.backends.postgresql"
    assert _setting(run, "settings.DATABASES['default']['HOST']", DATABASE_URL=url) == "db.internal"


def test_postgresql_is_reached_through_psycopg_3(run):
    assert _setting(run, "__import__('psycopg').__version__.split('.')[0]") == "3"


def test_development_keeps_a_random_secret_key_on_this_machine(run, tmp_path):
    first = _setting(run, "settings.SECRET_KEY")

    assert first == _setting(run, "settings.SECRET_KEY")
    assert len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_static_files_use_whitenoise_s_compressed_manifest_storage_outside_tests(run):
    backend = _setting(run, "settings.STORAGES['staticfiles']['BACKEND']")

    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in _setting(run, "settings.MIDDLEWARE")


def test_env_example_lists_every_variable_the_settings_read():
    source = (BASE_DIR / "portal" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"""(?:env_\w+|os\.environ\.get)\(\s*["']([A-Z0-9_]+)["']""", source))
    example = (BASE_DIR / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^([A-Z0-9_]+)=", example, flags=re.MULTILINE))

    assert {"SECRET_KEY", "DATABASE_URL", "DEBUG"} <= read
    assert read - listed == set()


S3 = {
    "S3_BUCKET": "portal-media",
    "S3_ENDPOINT_URL": "http://objects.internal:9000",
    "S3_ACCESS_KEY_ID": "portal",
    "S3_SECRET_ACCESS_KEY": "secret",
}


def test_uploads_go_to_the_media_folder_by_default(run):
    assert _setting(run, "settings.STORAGES['default']['BACKEND']") == "django.core.files.storage.FileSystemStorage"


def test_an_s3_bucket_selects_private_object_storage(run):
    backend = _setting(run, "settings.STORAGES['default']['BACKEND']", **S3)
    options = _setting(run, "sorted(settings.STORAGES['default']['OPTIONS'].items())", **S3)

    assert backend == "storages.backends.s3.S3Storage"
    assert "('bucket_name', 'portal-media')" in options
    assert "('endpoint_url', 'http://objects.internal:9000')" in options
    assert "('default_acl', 'private')" in options


@pytest.mark.parametrize(
    ("left_out", "missing"),
    [
        ("S3_BUCKET", "S3_BUCKET"),
        ("S3_ACCESS_KEY_ID", "S3_ACCESS_KEY_ID"),
        ("S3_SECRET_ACCESS_KEY", "S3_SECRET_ACCESS_KEY"),
        ("S3_ENDPOINT_URL", "S3_ENDPOINT_URL or S3_REGION"),
    ],
)
def test_half_an_object_storage_configuration_refuses_to_start(run, left_out, missing):
    result = run(["manage.py", "check"], **{name: value for name, value in S3.items() if name != left_out})

    assert result.returncode != 0
    assert "Object storage is half configured" in result.stderr
    assert f"also set {missing}" in result.stderr


def test_a_region_instead_of_an_endpoint_selects_aws_s3(run):
    env = {**{name: value for name, value in S3.items() if name != "S3_ENDPOINT_URL"}, "S3_REGION": "ap-east-1"}

    assert _setting(run, "settings.STORAGES['default']['OPTIONS']['region_name']", **env) == "ap-east-1"


def test_sessions_are_kept_in_the_database_without_redis(run):
    assert _setting(run, "settings.SESSION_ENGINE") == "django.contrib.sessions.backends.db"


def test_sessions_are_read_from_redis_and_backed_by_the_database_with_redis(run):
    engine = _setting(run, "settings.SESSION_ENGINE", REDIS_URL="redis://cache.internal:6379/0")

    assert engine == "infra.sessions"


def test_sms_is_printed_to_the_console_in_development(run):
    assert _setting(run, "settings.SMS_BACKEND") == "infra.sms.backends.ConsoleBackend"


def test_sms_is_off_in_production_until_a_provider_is_set(run):
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)}
    assert _setting(run, "repr(settings.SMS_BACKEND)", **env) == "''"


def test_an_unknown_sms_backend_fails_loudly(run):
    result = run(["manage.py", "check"], SMS_BACKEND="pigeon")
    assert result.returncode != 0 and "SMS_BACKEND='pigeon'" in result.stderr


def test_a_provider_without_its_template_codes_refuses_to_start_in_production(run):
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50), "SMS_BACKEND": "tencent", "SMS_SIGN_NAME": "POS服务"}
    result = run(["manage.py", "check"], **env, SMS_ACCESS_KEY_ID="id", SMS_ACCESS_KEY_SECRET="secret")
    assert result.returncode != 0
    assert "SMS_TEMPLATE_AGENT_REPLY" in result.stderr and "SMS_APP_ID" in result.stderr
