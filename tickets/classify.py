"""Suggested answer: which article (and response code) a ticket is about, from its own text.

The ticket's parts are searched separately with the knowledge-base pipeline (the screen text, the description,
the steps, the code), because one long query of everything matches nothing; the rankings are fused by
reciprocal rank (a page that several parts agree on wins). Confidence is the best article's share of the
fused score of the top candidates: 1.0 when every part points at it alone, low when they disagree.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.models import Article, ResponseCode
from kb.search.selectors import MAX_QUERY_LENGTH, search
from tickets.access import require_ticket_writer
from tickets.models import ActorKind, Ticket, TicketClassification, TicketEvent
from tickets.services.events import event_record

RRF_K = 10  # small: the first few places matter, the tail hardly does
CANDIDATES = 5
# A code written inside a sentence: "提示A0", "code 55", "返回05"; two characters, at least one a digit.
_CODE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])([0-9][0-9A-Z]|[A-Z][0-9])(?![0-9A-Za-z])")


@dataclass
class Suggestion:
    articles: list[tuple[str, float]] = field(default_factory=list)  # (slug, fused score), best first
    response_code: str = ""
    confidence: float = 0.0

    @property
    def article_slug(self) -> str:
        return self.articles[0][0] if self.articles else ""


def _parts(ticket) -> list[str]:
    steps = " ".join(str(step) for step in (ticket.steps or []))
    parts = [ticket.screen_text, ticket.description, steps]
    return [part.strip()[:MAX_QUERY_LENGTH] for part in parts if part and part.strip()]


def _code(ticket, found: list[str], known: set[str]) -> str:
    if ticket.response_code and ticket.response_code.upper() in known:
        return ticket.response_code.upper()
    for code in found:
        if code in known:
            return code
    return ""


def classify_text(ticket, *, language: str) -> Suggestion:
    """Rank articles for anything with the ticket's text fields (a Ticket or a labelled example)."""
    known = set(ResponseCode.objects.filter(is_published=True).values_list("code", flat=True))
    scores: dict[str, float] = {}
    codes: dict[str, float] = {}
    for part in _parts(ticket):
        result = search(part, language=language, limit=CANDIDATES, prefix_last=False)
        for code in [*result.codes, *_CODE_IN_TEXT.findall(part.upper())]:
            codes[code] = codes.get(code, 0.0) + 1.0
        articles = [hit for hit in result.hits if hit.kind == "article"]
        for rank, hit in enumerate(articles, start=1):
            scores[hit.key] = scores.get(hit.key, 0.0) + 1.0 / (RRF_K + rank)
        for rank, hit in enumerate(hit for hit in result.hits if hit.kind == "code"):
            codes[hit.key] = codes.get(hit.key, 0.0) + 1.0 / (RRF_K + rank + 1)
    if ticket.response_code:
        # The code the merchant picked: its pages and the articles that list it lead.
        result = search(ticket.response_code, language=language, limit=CANDIDATES, prefix_last=False)
        for rank, hit in enumerate((h for h in result.hits if h.kind == "article"), start=1):
            scores[hit.key] = scores.get(hit.key, 0.0) + 1.0 / (RRF_K + rank)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:CANDIDATES]
    total = sum(score for _slug, score in ranked)
    found = [code for code, _s in sorted(codes.items(), key=lambda item: -item[1])]
    return Suggestion(
        articles=ranked,
        response_code=_code(ticket, found, known),
        confidence=round(ranked[0][1] / total, 2) if total else 0.0,
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
