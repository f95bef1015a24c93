"""Load the canned replies shipped in tickets/content/canned_replies.yaml (idempotent; `make run` calls it).

A reply edited in the admin since it was loaded is kept without --force; the command lists what it kept.
"""

from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tickets.services.canned import ShippedReply, canned_replies_load

CONTENT = Path(__file__).resolve().parents[2] / "content" / "canned_replies.yaml"


def shipped_replies(path: Path) -> list[ShippedReply]:
    languages = [code for code, _name in settings.LANGUAGES]
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as error:
        raise CommandError(f"Cannot read {path}: {error}") from error
    replies = []
    for entry in entries:
        for language in languages:
            text = entry.get(language) or {}
            if not entry.get("key") or not text.get("title") or not text.get("body"):
                raise CommandError(f"{path}: {entry.get('key', '?')} needs a key, and a title and body in {language}")
            replies.append(ShippedReply(key=entry["key"], language=language, title=text["title"], body=text["body"]))
    return replies


class Command(BaseCommand):
    help = "Load the canned replies shipped in tickets/content/ (idempotent; admin edits kept without --force)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=CONTENT)
        parser.add_argument("--force", action="store_true", help="Overwrite replies edited in the admin.")

    def handle(self, *args, file: Path, force: bool, **options):
        done = canned_replies_load(shipped=shipped_replies(file), force=force)
        summary = ", ".join(f"{len(keys)} {outcome}" for outcome, keys in done.items())
        self.stdout.write(f"Canned replies: {summary}.")
        for name in done["kept"]:
            self.stdout.write(f"  kept (edited in the admin; --force overwrites): {name}")
