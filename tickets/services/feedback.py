"""What the merchant does with an answer: see it, and say whether it solved the problem."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tickets import notifications
from tickets.models import ActorKind, Ticket, TicketEvent, TicketFeedback, TicketMessage
from tickets.search import search_text_append
from tickets.services.events import copy_back, event_record, locked, user_or_none
from tickets.services.intake import mask_text
from tickets.services.workflow import DONE, STATUS_FIELDS, status_apply

MAX_COMMENT = 2000


def ticket_answer_seen(*, ticket: Ticket, answered_at: datetime) -> bool:
    """Remember that the merchant's page showed the support reply of `answered_at`; True if that was news.

    A read marker, not a change of the ticket (no event, `updated_at` untouched): one conditional UPDATE
    that writes only when this reply is newer than the last one shown, so reloading the page writes nothing.
    """
    unseen = Q(merchant_seen_at__isnull=True) | Q(merchant_seen_at__lt=answered_at)
    changed = Ticket.objects.filter(unseen, pk=ticket.pk).update(merchant_seen_at=answered_at)
    if changed:
        ticket.merchant_seen_at = answered_at
    return bool(changed)


def feedback_open(ticket: Ticket) -> bool:
    """Whether the merchant can still say if the last resolution helped (once per resolution)."""
    if ticket.status not in DONE or ticket.merged_into_id is not None or ticket.resolved_at is None:
        return False
    return not ticket.feedback.filter(resolved_at=ticket.resolved_at).exists()


def _answering_agent(ticket: Ticket):
    """Whose answer is being judged: the author of the last public support reply, else the assignee."""
    last = (
        TicketMessage.objects.filter(ticket=ticket, author_role=ActorKind.AGENT, is_internal=False)
        .exclude(author=None)
        .order_by("-created_at", "-pk")
        .select_related("author")
        .first()
    )
    return last.author if last is not None else ticket.assignee


def _answering_article(ticket: Ticket) -> str:
    """The article the answer rested on: the one the agent confirmed for the ticket, else where the merchant
    came from."""
    classification = getattr(ticket, "classification", None)
    if classification is not None:
        if classification.verdict == classification.Verdict.CORRECTED and classification.correct_article_slug:
            return classification.correct_article_slug
        if classification.verdict == classification.Verdict.ACCEPTED and classification.article_slug:
            return classification.article_slug
    return ticket.article_slug


def _reopen_with(row: Ticket, *, actor, comment: str, masked: int) -> TicketMessage:
    """ "Not solved": the comment goes into the conversation as the merchant's message and the ticket opens."""
    with translation.override(row.language):
        body = comment or _("The answer did not solve my problem.")
    message = TicketMessage.objects.create(
        ticket=row, author=user_or_none(actor), author_role=ActorKind.MERCHANT, body=body, masked_count=masked
    )
    event_record(ticket=row, actor=actor, actor_kind=ActorKind.MERCHANT, kind=TicketEvent.Kind.REPLY, message=message)
    changed = status_apply(
        ticket=row, status=Ticket.Status.OPEN, actor=actor, actor_kind=ActorKind.MERCHANT, now=timezone.now()
    )
    row.search_text = search_text_append(row.search_text, body)
    row.save(update_fields=[*changed, "search_text", "updated_at"])
    notifications.ticket_replied(row, message)
    return message


def ticket_feedback_give(*, ticket: Ticket, actor, helped: bool, comment: str = "") -> TicketFeedback:
    """The merchant's one tap after a resolution: solved, or not (which reopens the ticket with the comment).

    Once per resolution: a second answer to the same resolution (a double tap, a second tab) is refused.
    """
    comment, masked = mask_text("comment", (comment or "").strip())
    if len(comment) > MAX_COMMENT:
        message = _("Please shorten your comment to %(max)d characters.") % {"max": MAX_COMMENT}
        raise ValidationError({"comment": message})
    refusal = _("Thank you, your answer about this solution was already recorded.")
    if not feedback_open(ticket):
        raise ValidationError(refusal)
    with transaction.atomic():
        row = locked(ticket)
        if not feedback_open(row) or row.resolved_at is None:
            raise ValidationError(refusal)
        feedback = TicketFeedback.objects.create(
            ticket=row,
            helped=helped,
            comment=comment,
            agent=_answering_agent(row),
            article_slug=_answering_article(row),
            resolved_at=row.resolved_at,
        )
        event_record(
            ticket=row,
            actor=actor,
            actor_kind=ActorKind.MERCHANT,
            kind=TicketEvent.Kind.FEEDBACK,
            new_value="solved" if helped else "not_solved",
        )
        if not helped:
            _reopen_with(row, actor=actor, comment=comment, masked=masked)
    copy_back(ticket, row, (*STATUS_FIELDS, "updated_at", "search_text"))
    return feedback
