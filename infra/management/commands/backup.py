from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from infra import backups


class Command(BaseCommand):
    help = (
        "Back up the database and the uploaded files as one timestamped, compressed set in BACKUP_DIR "
        "(or BACKUP_S3_BUCKET), encrypted when BACKUP_GPG_RECIPIENT is set. See docs/operations.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-encrypt", action="store_true", help="Write this set unencrypted.")
        parser.add_argument(
            "--clean", action="store_true", help="Afterwards, delete the sets older than the newest --keep."
        )
        parser.add_argument(
            "--keep", type=int, default=settings.BACKUP_KEEP, help="Sets --clean keeps (default: BACKUP_KEEP)."
        )
        parser.add_argument(
            "--list", dest="list_sets", action="store_true", help="List the sets instead of writing one."
        )

    def handle(self, *, no_encrypt, clean, keep, list_sets, **options):
        if list_sets:
            for name in backups.sets_list():
                self.stdout.write(name)
            return
        if keep < 1:
            raise CommandError("--keep must be at least 1.")
        try:
            name = backups.set_create(encrypt=backups.encryption_wanted(refuse=no_encrypt))
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(name)
        if clean:
            for deleted in backups.sets_prune(keep=keep):
                self.stderr.write(f"deleted {deleted}")
