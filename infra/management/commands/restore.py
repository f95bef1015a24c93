from django.core.management.base import BaseCommand, CommandError

from infra import backups


class Command(BaseCommand):
    help = (
        "Restore a set written by `manage.py backup` into an empty instance: a new database (DATABASE_URL) "
        "and an empty MEDIA_ROOT or bucket. Checks every file's checksum first. See docs/operations.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("set", help="The set's name, e.g. portal-20260501-023000 (`manage.py backup --list`).")

    def handle(self, **options):
        name = options["set"]
        try:
            backups.Restore(name).run()
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"restored {name}; now run `manage.py migrate` if this code is newer than the set")
