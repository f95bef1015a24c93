from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from tickets.models import Ticket
from tickets.services import ticket_erase


class Command(BaseCommand):
    help = (
        "Erase a ticket for a data-protection request: the ticket, its messages, files (stored copies too) and "
        "history are deleted; a ticket erasure record keeps who removed it, why and how much. "
        'Example: manage.py ticket_erase POS-2026-000123 --reason "Request of 2026-05-01 by phone" --actor admin'
    )

    def add_arguments(self, parser):
        parser.add_argument("reference", help="the ticket's reference, e.g. POS-2026-000123")
        parser.add_argument("--reason", default="", help="why it is erased (required; kept in the record)")
        parser.add_argument("--actor", required=True, help="username of the staff member erasing it")

    def handle(self, *args, reference, reason, actor, **options):
        # Checked here as well as in the service, so a missing reason never gets as far as a lookup.
        if not reason.strip():
            raise CommandError("--reason is required: say why the ticket is erased.")
        user = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: actor}).first()
        if user is None:
            raise CommandError(f"No user {actor!r}.")
        ticket = Ticket.objects.filter(reference=reference.strip().upper()).first()
        if ticket is None:
            raise CommandError(f"No ticket {reference!r}.")
        try:
            erasure = ticket_erase(actor=user, ticket=ticket, reason=reason)
        except PermissionDenied:
            raise CommandError(f"{actor!r} may not erase tickets (needs tickets.erase_ticket).") from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Erased {erasure.reference}: {erasure.messages} messages, {erasure.attachments} attachments "
            f"({erasure.files} stored files), {erasure.events} history entries. Record #{erasure.pk}."
        )
