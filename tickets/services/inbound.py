"""Replies by email: a received message becomes a merchant's reply on its ticket, or waits for an agent.

Every path in (IMAP polling, a provider's webhook) hands the raw message to `inbound_mail_receive`. It is
added to a ticket only when the reply address's signed token names the ticket and the sender is the
ticket's own address; anything else waits in the agents' "unmatched mail" list, and mail sent by a machine
(out-of-office, bounces, lists) or too much from one sender is dropped, so no loop of automatic mails can
write messages. The text and files go through the same checks and masking as the reply form.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from infra import inbound_mail
from tickets import replyto, uploads
from tickets.access import require_ticket_writer
from tickets.models import Attachment, InboundFile, InboundMail, Ticket, TicketMessage
from tickets.services.conversation import ticket_reply
from tickets.services.files import storing
from tickets.services.intake import mask_text

logger = logging.getLogger(__name__)
Status = InboundMail.Status


def inbound_mail_receive(*, raw: bytes, envelope_to: str = "") -> InboundMail:
    """Read one received email; the row that records what became of it. The same Message-ID twice: the
    first row, nothing added again. `envelope_to` is the address a provider says it was delivered to, for
    a reply address that appears in no header (Bcc)."""
    parsed = inbound_mail.parse(raw)
    if envelope_to:
        parsed.recipients.append(envelope_to.strip().lower())
    seen = InboundMail.objects.filter(mail_id=parsed.message_id).first()
    if seen is not None:
        return seen
    ticket, status, reason = _route(parsed)
    try:
        with transaction.atomic():
            row = _record(parsed, ticket=ticket, status=status, reason=reason)
            if status == Status.ADDED and ticket is not None:
                _add_to_ticket(row, parsed, ticket)
            elif status == Status.UNMATCHED:
                _keep_files(row, parsed)
    except IntegrityError:  # the same message, read at the same moment by another worker
        return InboundMail.objects.get(mail_id=parsed.message_id)
    logger.info("Received email %s from %s: %s %s", row.pk, row.sender, row.status, row.reason)
    return row


def _route(parsed: inbound_mail.InboundMessage) -> tuple[Ticket | None, str, str]:
    """(ticket, status, reason): check first, so the write below is one decision."""
    ticket_id, had_token = replyto.ticket_id_from(parsed.recipients)
    ticket = Ticket.objects.filter(pk=ticket_id).first() if ticket_id else None
    if parsed.auto_reason:
        return ticket, Status.DROPPED, parsed.auto_reason
    ours = {settings.DEFAULT_FROM_EMAIL.lower(), settings.INBOUND_REPLY_ADDRESS.lower()}
    if parsed.sender in ours or parsed.sender.startswith(settings.INBOUND_REPLY_ADDRESS.partition("@")[0] + "+"):
        return ticket, Status.DROPPED, "from-ourselves"
    if ticket is None:
        return None, Status.UNMATCHED, "bad-token" if had_token else "no-token"
    if not ticket.email or parsed.sender != ticket.email.strip().lower():
        return ticket, Status.UNMATCHED, "other-sender"
    if _recent(ticket, parsed.sender) >= settings.INBOUND_MAX_PER_HOUR:
        return ticket, Status.DROPPED, "too-many"
    if not parsed.reply and not parsed.attachments:
        return ticket, Status.DROPPED, "empty"
    if ticket.is_closed:
        return ticket, Status.UNMATCHED, "closed"
    return ticket, Status.ADDED, ""


def _recent(ticket: Ticket, sender: str) -> int:
    since = timezone.now() - timedelta(hours=1)
    return InboundMail.objects.filter(ticket=ticket, sender=sender, received_at__gte=since).count()


def _record(parsed: inbound_mail.InboundMessage, *, ticket: Ticket | None, status: str, reason: str) -> InboundMail:
    return InboundMail.objects.create(
        mail_id=parsed.message_id,
        sender=parsed.sender[:254],
        subject=mask_text("subject", parsed.subject)[0][:200],
        body=mask_text("body", parsed.reply)[0],
        status=status,
        reason=reason,
        ticket=ticket,
    )


def _uploads(parsed: inbound_mail.InboundMessage) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(a.name or "file", a.data, content_type=a.content_type) for a in parsed.attachments]


def _accepted(files: list[SimpleUploadedFile]) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The files the reply form would accept, each checked alone, and why the others were refused."""
    accepted, refused = [], []
    limit_errors = uploads.check_limits(files)
    if limit_errors:
        return [], limit_errors
    for upload in files:
        try:
            uploads.process_upload(upload).close()
        except ValidationError as error:
            refused.extend(error.messages)
        else:
            upload.seek(0)
            accepted.append(upload)
    return accepted, refused


def _add_to_ticket(row: InboundMail, parsed: inbound_mail.InboundMessage, ticket: Ticket) -> None:
    accepted, refused = _accepted(_uploads(parsed))
    body = parsed.reply
    try:
        message = ticket_reply(ticket=ticket, author=None, body=_with_refusals(body, refused, ticket), files=accepted)
    except ValidationError as error:
        # The ticket's file limits (count, total size): the words still go in, the files are named.
        refused += [m for messages in getattr(error, "message_dict", {}).values() for m in messages]
        message = ticket_reply(ticket=ticket, author=None, body=_with_refusals(body, refused, ticket), files=())
    row.message, row.refused_files = message, refused
    row.save(update_fields=["message", "refused_files"])


def _with_refusals(body: str, refused: list[str], ticket: Ticket) -> str:
    if not refused:
        return body
    with translation.override(ticket.language):
        note = _("Files in this email that could not be accepted:")
    return f"{body}\n\n{note}\n" + "\n".join(f"- {reason}" for reason in refused)


def _keep_files(row: InboundMail, parsed: inbound_mail.InboundMessage) -> None:
    """An unmatched mail's files, checked and masked now, kept for the agent who adds it to a ticket."""
    accepted, refused = _accepted(_uploads(parsed))
    processed = [uploads.process_upload(upload) for upload in accepted]
    with storing(processed) as stored:
        for item in processed:
            file_name, thumb_name = uploads.store(item)
            stored.extend(item.stored)
            InboundFile.objects.create(mail=row, **item.row_fields(file_name=file_name, thumbnail_name=thumb_name))
    if refused:
        row.refused_files = refused
        row.save(update_fields=["refused_files"])


# --- Agents: the unmatched list -------------------------------------------------------------------


def _locked_unmatched(mail: InboundMail) -> InboundMail:
    row = InboundMail.objects.select_for_update().get(pk=mail.pk)
    if row.status != Status.UNMATCHED:
        raise ValidationError(_("This email was already handled."))
    return row


def inbound_mail_attach(*, actor, mail: InboundMail, ticket: Ticket) -> TicketMessage:
    """An agent adds an unmatched email to a ticket as the merchant's reply (the agent vouches for it)."""
    require_ticket_writer(actor)
    with transaction.atomic():
        row = _locked_unmatched(mail)
        files = list(row.files.all())
        body = row.body or _("(files sent by email)")
        message = ticket_reply(ticket=ticket, author=None, body=body, files=())
        for item in files:
            fields = {name: getattr(item, name) for name in uploads_fields()}
            Attachment.objects.create(ticket=ticket, message=message, **fields)
        row.files.all().delete()
        row.status, row.ticket, row.message = Status.ADDED, ticket, message
        row.handled_by, row.handled_at = actor, timezone.now()
        row.save(update_fields=["status", "ticket", "message", "handled_by", "handled_at"])
    return message


def inbound_mail_discard(*, actor, mail: InboundMail) -> InboundMail:
    """An agent throws an unmatched email away (spam, a stranger); its kept files go with it."""
    require_ticket_writer(actor)
    with transaction.atomic():
        row = _locked_unmatched(mail)
        names = [name for item in row.files.all() for name in (item.file, item.thumbnail)]
        row.files.all().delete()
        row.status, row.handled_by, row.handled_at = Status.DISCARDED, actor, timezone.now()
        row.save(update_fields=["status", "handled_by", "handled_at"])
        transaction.on_commit(lambda: uploads.delete_stored(names))
    return row


# Dropped and discarded emails are kept this long (to see what was refused and why), then deleted: they
# hold a sender's address and words that no ticket needs.
HANDLED_MAX_AGE = timedelta(days=30)


def inbound_mails_prune(*, now=None) -> int:
    """Delete dropped and discarded emails older than HANDLED_MAX_AGE; return how many (`tickets_cleanup`)."""
    cutoff = (now or timezone.now()) - HANDLED_MAX_AGE
    old = InboundMail.objects.filter(status__in=[Status.DROPPED, Status.DISCARDED], received_at__lt=cutoff)
    deleted, _by_model = old.delete()
    return deleted


def uploads_fields() -> list[str]:
    # The columns of a stored file that an attachment takes over as they are.
    return [f.name for f in InboundFile._meta.get_fields() if f.concrete and f.name not in ("id", "mail", "created_at")]
