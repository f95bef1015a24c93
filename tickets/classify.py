"""Suggested answer: which article (and response code) a ticket is about, from its own text.

The ticket's words are searched with the knowledge-base pipeline as one query, the way a merchant would type
them: screen text first, then the description and the steps, cut to the search's length limit. On the
labelled set (tests/tickets/classification_set.yaml) this did better than fusing separate searches of each
part, which let the generic sign-on pages win. When that finds nothing the screen text, then the code, are
tried alone. Confidence is the best article's share of the scores of the top candidates: near 1 when one
article stands out, low when several score alike.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.models import Article, ResponseCode
from kb.search import MAX_QUERY_LENGTH, search
from tickets.access import require_ticket_writer
from tickets.models import ActorKind, Ticket, TicketClassification, TicketEvent
from tickets.services.events import event_record

CANDIDATES = 5
# A code written inside a sentence: "提示A0", "code 55", "返回05"; two characters, at least one a digit.
_CODE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])([0-9][0-9A-Z]|[A-Z][0-9])(?![0-9A-Za-z])")


@dataclass
class Suggestion:
    articles: list[tuple[str, float]] = field(default_factory=list)  # (slug, score), best first
    response_code: str = ""
    confidence: float = 0.0

    @property
    def article_slug(self) -> str:
        return self.articles[0][0] if self.articles else ""


def _queries(ticket) -> list[str]:
    steps = " ".join(str(step) for step in (ticket.steps or []))
    whole = " ".join(part.strip() for part in (ticket.screen_text, ticket.description, steps) if part and part.strip())
    return [text[:MAX_QUERY_LENGTH] for text in (whole, ticket.screen_text, ticket.response_code) if text]


def _code(ticket, found: list[str], known: set[str]) -> str:
    candidates = [ticket.response_code.upper()] if ticket.response_code else []
    for code in [*candidates, *found]:
        if code in known:
            return code
    return ""


def classify_text(ticket, *, language: str) -> Suggestion:
    """Rank articles for anything with the ticket's text fields (a Ticket or a labelled example)."""
    known = set(ResponseCode.objects.filter(is_published=True).values_list("code", flat=True))
    found: list[str] = []
    articles = []
    for query in _queries(ticket):
        result = search(query, language=language, limit=CANDIDATES)
        found += [*result.codes, *_CODE_IN_TEXT.findall(query.upper())]
        found += [hit.key for hit in result.hits if hit.kind == "code"]
        articles = [(hit.key, hit.score) for hit in result.hits if hit.kind == "article"][:CANDIDATES]
        if articles:
            break
    total = sum(max(score, 0.0) for _slug, score in articles)
    return Suggestion(
        articles=articles,
        response_code=_code(ticket, found, known),
        confidence=round(max(articles[0][1], 0.0) / total, 2) if total else 0.0,
    )


def suggestion_for(ticket: Ticket) -> TicketClassification:
    """The stored suggestion, computed and stored the first time the ticket is looked at."""
    try:
        return ticket.classification
    except TicketClassification.DoesNotExist:
        pass
    suggestion = classify_text(ticket, language=ticket.language)
    try:
        with transaction.atomic():
            return TicketClassification.objects.create(
                ticket=ticket,
                article_slug=suggestion.article_slug,
                response_code=suggestion.response_code,
                confidence=suggestion.confidence,
                candidates=[slug for slug, _score in suggestion.articles],
            )
    except IntegrityError:  # another agent's page stored it first
        return TicketClassification.objects.get(ticket=ticket)


def classification_review(*, ticket: Ticket, agent, article_slug: str = "", response_code: str = "") -> None:
    """The agent accepts the suggestion (nothing given) or corrects it; the correction is kept for tuning."""
    require_ticket_writer(agent)
    current = suggestion_for(ticket)
    article_slug, response_code = article_slug.strip(), response_code.strip().upper()
    if article_slug and not Article.objects.filter(slug=article_slug).exists():
        raise ValidationError({"article_slug": _("No article has this address.")})
    if response_code and not ResponseCode.objects.filter(code=response_code).exists():
        raise ValidationError({"response_code": _("Unknown response code.")})
    corrected = (article_slug and article_slug != current.article_slug) or (
        response_code and response_code != current.response_code
    )
    with transaction.atomic():
        row = TicketClassification.objects.select_for_update().get(pk=current.pk)
        row.verdict = row.Verdict.CORRECTED if corrected else row.Verdict.ACCEPTED
        row.correct_article_slug = article_slug or row.article_slug
        row.correct_response_code = response_code or row.response_code
        row.reviewed_by, row.reviewed_at = agent, timezone.now()
        row.save()
        event_record(
            ticket=ticket,
            actor=agent,
            actor_kind=ActorKind.AGENT,
            kind=TicketEvent.Kind.CLASSIFIED,
            old_value=current.article_slug,
            new_value=row.correct_article_slug,
        )
