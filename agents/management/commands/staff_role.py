"""Make an account a support agent or a knowledge-base editor (or take the role back), from the shell.

    .venv/bin/python manage.py staff_role wang.fang agent
    .venv/bin/python manage.py staff_role li.lei editor
    .venv/bin/python manage.py staff_role li.lei editor --remove

The account must exist (`createsuperuser`, or the admin's "Add user"). Granting also sets staff status;
the change is recorded like one made in the admin (AuditEvent, without a user: the command line).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agents.roles import ROLES_BY_KEY
from agents.services import user_role_set


class Command(BaseCommand):
    help = "Make a user a support agent or an editor (agent | editor), or take the role back with --remove."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(ROLES_BY_KEY))
        parser.add_argument("--remove", action="store_true", help="Take the role back instead.")

    def handle(self, *args, username: str, role: str, remove: bool = False, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}. Create the account first (createsuperuser or the admin).")
        try:
            user_role_set(actor=None, user=user, role=role, granted=not remove)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        verb = "is no longer" if remove else "is now"
        self.stdout.write(self.style.SUCCESS(f"{username} {verb} an {role}."))
