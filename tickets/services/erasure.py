"""Erasing a ticket for a data-protection request: the only way a ticket is ever deleted.

The admin cannot delete tickets and agents hold no delete permission: a deletion would take the ticket's
history with it. This service deletes the ticket with everything that belongs to it (messages, files and
their stored copies, events, classification, warnings) and leaves a TicketErasure saying who removed what
and why."""

import logging

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tickets import uploads
from tickets.access import may_erase_tickets
from tickets.models import InboundFile, InboundMail, PendingUpload, Ticket, TicketErasure
from tickets.services.events import locked

logger = logging.getLogger(__name__)


def _stored_names(ticket: Ticket) -> list[str]:
    """Every file in storage that belongs to the ticket: its attachments (with thumbnails), any upload
    still pending under its submission key, and the kept files of emails that named it."""
    names = []
    for rows in (
        ticket.attachments.all(),
        PendingUpload.objects.filter(submission_key=ticket.submission_key),
        InboundFile.objects.filter(mail__ticket=ticket),
    ):
        for file_name, thumbnail in rows.values_list("file", "thumbnail"):
            names += [name for name in (file_name, thumbnail) if name]
    return names


def ticket_erase(*, actor: User, ticket: Ticket, reason: str) -> TicketErasure:
    """Delete `ticket` and its files for a data-protection request; return the record that outlives it.

    The stored files are deleted once the transaction has committed, so a rollback leaves the ticket whole;
    a file whose deletion fails is swept later by `tickets_cleanup`, as nothing refers to it any more.
    """
    if not may_erase_tickets(actor):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the ticket is erased (for example the request it answers).")})
    with transaction.atomic():
        row = locked(ticket)
        names = _stored_names(row)
        erasure = TicketErasure.objects.create(
            reference=row.reference,
            actor=actor,
            actor_username=actor.get_username(),
            reason=reason,
            messages=row.messages.count(),
            attachments=row.attachments.count(),
            events=row.events.count(),
            files=len(names),
        )
        PendingUpload.objects.filter(submission_key=row.submission_key).delete()
        # The emails about it (the merchant's address and words), added or still waiting for an agent.
        InboundMail.objects.filter(ticket=row).delete()
        row.delete()
        transaction.on_commit(lambda: uploads.delete_stored(names))
    logger.info("Ticket %s erased by %s (erasure %s)", erasure.reference, erasure.actor_username, erasure.pk)
    return erasure
