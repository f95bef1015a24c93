"""`manage.py backup` then `manage.py restore` into a fresh database and media folder gives back every row
and every file. Each step runs as an operator would run it: a process of its own, configured by environment."""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

BASE_DIR = settings.BASE_DIR


@pytest.fixture
def manage(tmp_path):
    def run(*args: str, env: dict) -> subprocess.CompletedProcess:
        clean = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "TASKS_BACKEND": "immediate",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "BACKUP_DIR": str(tmp_path / "backups"),
        }
        result = subprocess.run(
            [sys.executable, *args], cwd=BASE_DIR, env=clean | env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
        return result

    return run


def instance(tmp_path, name: str, database_url: str) -> dict:
    return {
        "PORTAL_VAR_DIR": str(tmp_path / name),
        "MEDIA_ROOT": str(tmp_path / name / "media"),
        "DATABASE_URL": database_url,
    }


@pytest.fixture
def postgres_databases():
    """Two throwaway databases, wt_ops_*, on the server the suite runs on."""
    server = settings.DATABASES["default"]
    base = f"postgres://{server['USER']}@{server['HOST'] or '127.0.0.1'}:{server['PORT'] or 5432}"
    names = [f"wt_ops_backup_{role}_{secrets.token_hex(4)}" for role in ("source", "restored")]
    psql = ["psql", f"{base}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c"]
    for name in names:
        subprocess.run([*psql, f"CREATE DATABASE {name}"], check=True)
    yield [f"{base}/{name}" for name in names]
    for name in names:
        subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True)


def round_trip(manage, tmp_path, source: dict, restored: dict) -> tuple[dict, dict]:
    manage("manage.py", "migrate", "--noinput", "-v0", env=source)
    manage("-m", "tests.infra.instance", "fill", str(tmp_path / "before.json"), env=source)
    backup_set = manage("manage.py", "backup", env=source).stdout.strip()
    manage("manage.py", "restore", backup_set, env=restored)
    manage("-m", "tests.infra.instance", "census", str(tmp_path / "after.json"), env=restored)
    return tuple(json.loads((tmp_path / f"{when}.json").read_text()) for when in ("before", "after"))


def assert_same_instance(before: dict, after: dict) -> None:
    assert before["rows"]["tickets.Attachment"] == 6
    assert before["rows"]["kb.ArticleRevision"] > before["rows"]["kb.Article"]
    assert after["rows"] == before["rows"]
    assert len(before["files"]) >= 6
    assert after["files"] == before["files"]


@pytest.mark.sqlite
def test_a_backup_restores_every_row_and_file_on_sqlite(manage, tmp_path):
    source = instance(tmp_path, "source", f"sqlite:///{tmp_path / 'source.sqlite3'}")
    restored = instance(tmp_path, "restored", f"sqlite:///{tmp_path / 'restored.sqlite3'}")

    assert_same_instance(*round_trip(manage, tmp_path, source, restored))


@pytest.mark.postgres
def test_a_backup_restores_every_row_and_file_on_postgres(manage, tmp_path, postgres_databases):
    source_url, restored_url = postgres_databases
    source = instance(tmp_path, "source", source_url)
    restored = instance(tmp_path, "restored", restored_url)

    assert_same_instance(*round_trip(manage, tmp_path, source, restored))


@pytest.fixture
def backup_folder(settings, tmp_path):
    location = tmp_path / "backup-folder"
    settings.STORAGES = {
        **settings.STORAGES,
        "dbbackup": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}},
    }
    return location


def make_set(folder, name: str, *, complete: bool = True) -> None:
    (folder / name).mkdir(parents=True)
    (folder / name / "database.dump.gz").write_bytes(b"dump")
    if complete:
        (folder / name / "manifest.json").write_text("{}")


def test_clean_keeps_the_newest_complete_sets_and_one_still_being_written(backup_folder):
    from infra import backups

    for day in range(1, 5):
        make_set(backup_folder, f"portal-2026050{day}-023000")
    make_set(backup_folder, "portal-20260502-120000", complete=False)  # cut short, older than the kept ones
    make_set(backup_folder, "portal-20260505-023000", complete=False)  # being written now

    deleted = backups.sets_prune(keep=2)

    assert deleted == ["portal-20260501-023000", "portal-20260502-023000", "portal-20260502-120000"]
    assert sorted(path.name for path in backup_folder.iterdir()) == [
        "portal-20260503-023000",
        "portal-20260504-023000",
        "portal-20260505-023000",
    ]


@pytest.mark.django_db
def test_restore_refuses_a_database_that_already_has_tables(backup_folder):
    from infra import backups

    make_set(backup_folder, "portal-20260501-023000")
    manifest = {"engine": settings.DATABASES["default"]["ENGINE"]}

    with pytest.raises(backups.BackupError, match="already has tables"):
        backups.Restore("portal-20260501-023000").require_empty_instance(manifest)


def test_restore_refuses_a_set_without_manifest(backup_folder):
    from infra import backups

    make_set(backup_folder, "portal-20260501-023000", complete=False)

    with pytest.raises(backups.BackupError, match="cut short"):
        backups.manifest_read("portal-20260501-023000")


@pytest.mark.sqlite
def test_an_encrypted_backup_holds_nothing_readable_and_restores_with_the_key(manage, tmp_path):
    # A throwaway key in a keyring of the test's own; the set is encrypted to it and decrypted with it.
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    subprocess.run(
        ["gpg", "--batch", "--homedir", str(home), "--pinentry-mode", "loopback", "--passphrase", "restore-me",
         "--quick-gen-key", "backups@example.com",
         "default", "default", "never"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    keyring = {"GNUPGHOME": str(home), "BACKUP_GPG_RECIPIENT": "backups@example.com"}
    keyring |= {"BACKUP_GPG_PASSPHRASE": "restore-me"}
    source = instance(tmp_path, "source", f"sqlite:///{tmp_path / 'source.sqlite3'}") | keyring
    restored = instance(tmp_path, "restored", f"sqlite:///{tmp_path / 'restored.sqlite3'}") | keyring

    before, after = round_trip(manage, tmp_path, source, restored)

    assert_same_instance(before, after)
    backups = (tmp_path / "backups").rglob("*")
    written = [
        path for path in backups if path.is_file() and path.name != "manifest.json" and "metadata" not in path.name
    ]
    # Neither gzip nor anything readable: OpenPGP messages, whatever the file's name says.
    assert len(written) == 2 and all(path.read_bytes()[:2] != b"\x1f\x8b" for path in written)
    assert all(b"SQLite format" not in path.read_bytes() for path in written)
