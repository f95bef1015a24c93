"""Backup sets: the database and the uploaded files together, each set one folder (docs/operations.md).

A set is `portal-YYYYmmdd-HHMMSS/` in the backup storage (STORAGES["dbbackup"]: BACKUP_DIR or the bucket
BACKUP_S3_BUCKET) holding django-dbbackup's compressed (and, with BACKUP_GPG_RECIPIENT, encrypted) database
dump and media archive, then `manifest.json` with each file's sha256. The manifest is written last: a set
without one was cut short and is never restored.

Consistency: the dump is one snapshot (SQLite's backup API, pg_dump's transaction). The media archive is
made after it, and uploads never reuse a name (FileSystemStorage and S3 with file_overwrite off pick a new
one), so it holds every file the dump refers to; a file uploaded meanwhile is in the archive unreferenced,
which is harmless. Only a file deleted (ticket erasure) between the two steps would be missing.
"""

import hashlib
import importlib.util
import json
import shutil
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

PREFIX = "portal-"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says what to do."""


def backup_storage():
    return storages["dbbackup"]


def encryption_available() -> bool:
    # django-dbbackup encrypts through python-gnupg, which drives the gpg program.
    return importlib.util.find_spec("gnupg") is not None and shutil.which("gpg") is not None


def encryption_wanted(*, refuse: bool) -> bool:
    """Encrypt when a recipient is configured, unless refused; a configured key that cannot be used stops."""
    if refuse or not settings.DBBACKUP_GPG_RECIPIENT:
        return False
    if not encryption_available():
        raise BackupError(
            "BACKUP_GPG_RECIPIENT is set but gpg or the python-gnupg package is missing: install both, "
            "or pass --no-encrypt to write this set unencrypted."
        )
    return True


def set_create(*, encrypt: bool) -> str:
    """Write one set and return its name."""
    name = f"{PREFIX}{timezone.now():%Y%m%d-%H%M%S}"
    storage = backup_storage()
    if storage.exists(f"{name}/{MANIFEST}"):
        raise BackupError(f"A set named {name} already exists; wait a second and run again.")
    options = {"compress": True, "encrypt": encrypt, "interactive": False, "verbosity": 0}
    # Written under flat names, then moved into the set's folder: dbbackup encrypts into a temporary folder
    # under the output's name, and a name with a folder in it makes gpg fail ("file not found").
    call_command("dbbackup", database="default", output_filename=f"{name}.database.dump.gz", **options)
    call_command("mediabackup", output_filename=f"{name}.media.tar.gz", **options)
    for flat in storage.listdir("")[1]:
        if flat.startswith(f"{name}."):
            with storage.open(flat, "rb") as written_file:
                storage.save(f"{name}/{flat.removeprefix(name + '.')}", written_file)
            storage.delete(flat)
    _, written = storage.listdir(name)
    manifest = {
        "set": name,
        "created_at": timezone.now().isoformat(),
        "engine": settings.DATABASES["default"]["ENGINE"],
        "encrypted": encrypt,
        # mediabackup appends .gpg to an encrypted archive's name and dbbackup does not: record what was written.
        "database": next(file for file in written if file.startswith("database.") and "metadata" not in file),
        "media": next(file for file in written if file.startswith("media.")),
        "sha256": {file: _sha256(storage, f"{name}/{file}") for file in sorted(written)},
    }
    storage.save(f"{name}/{MANIFEST}", ContentFile(json.dumps(manifest, indent=2).encode()))
    return name


def _sha256(storage, path: str) -> str:
    digest = hashlib.sha256()
    with storage.open(path, "rb") as stored:
        for chunk in stored.chunks():
            digest.update(chunk)
    return digest.hexdigest()


def sets_list() -> list[str]:
    """Every set in the backup storage, oldest first (names sort by time)."""
    storage = backup_storage()
    try:
        folders, _ = storage.listdir("")
    except FileNotFoundError:  # BACKUP_DIR not made yet: nothing backed up
        return []
    return sorted(folder for folder in folders if folder.startswith(PREFIX))


def manifest_read(name: str) -> dict:
    storage = backup_storage()
    if name not in sets_list():
        raise BackupError(f"No backup set named {name!r}; `manage.py backup --list` shows them.")
    if not storage.exists(f"{name}/{MANIFEST}"):
        raise BackupError(f"Set {name} has no manifest: it was cut short and cannot be trusted.")
    with storage.open(f"{name}/{MANIFEST}", "rb") as stored:
        return json.loads(stored.read())


def sets_prune(*, keep: int) -> list[str]:
    """Delete every set older than the newest `keep` complete ones; returns the deleted names.

    Sets newer than the oldest kept one are left alone even without a manifest: one may be in progress.
    """
    storage = backup_storage()
    names = sets_list()
    complete = [name for name in names if storage.exists(f"{name}/{MANIFEST}")]
    if len(complete) <= keep:
        return []
    oldest_kept = complete[-keep]
    doomed = [name for name in names if name < oldest_kept]
    for name in doomed:
        _, files = storage.listdir(name)
        for file in files:
            storage.delete(f"{name}/{file}")
        storage.delete(name)  # the folder itself, where there is one (a local folder, not object storage)
    return doomed


@dataclass
class Restore:
    """Check, then restore one set into an instance whose database and media storage are empty."""

    name: str

    def run(self) -> None:
        manifest = manifest_read(self.name)
        self.verify(manifest)
        self.require_empty_instance(manifest)
        connection.close()  # dbrestore replaces the database underneath any open connection
        options = {"uncompress": True, "decrypt": manifest["encrypted"], "interactive": False, "verbosity": 0}
        if manifest["encrypted"]:
            # Given, so gpg never waits for a passphrase typed at a terminal a scheduled restore does not have.
            options["passphrase"] = settings.BACKUP_GPG_PASSPHRASE
        call_command("dbrestore", database="default", input_filename=f"{self.name}/{manifest['database']}", **options)
        call_command("mediarestore", input_filename=f"{self.name}/{manifest['media']}", **options)

    def verify(self, manifest: dict) -> None:
        storage = backup_storage()
        for file, expected in manifest["sha256"].items():
            if _sha256(storage, f"{self.name}/{file}") != expected:
                raise BackupError(f"{self.name}/{file} does not match its checksum: the set is damaged.")

    def require_empty_instance(self, manifest: dict) -> None:
        if manifest["engine"] != settings.DATABASES["default"]["ENGINE"]:
            raise BackupError(f"Set {self.name} is a {manifest['engine']} dump; DATABASE_URL names another engine.")
        if connection.introspection.table_names():
            raise BackupError(
                "The database already has tables. Restore into a new, empty database (DATABASE_URL), "
                "never over a live one."
            )
        try:
            folders, files = default_storage.listdir("")
        except FileNotFoundError:  # a media folder not yet made is empty
            return
        if folders or files:
            raise BackupError("The media storage (MEDIA_ROOT or S3_BUCKET) is not empty; restore into an empty one.")
