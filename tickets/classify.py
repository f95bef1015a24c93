"""Suggested answer: which article (and response code) a ticket is about, from its own text.

The ticket's words are searched with the knowledge-base pipeline as one query, the way a merchant would type
them: screen text first, then the description and the steps, cut to the search's length limit. On the
labelled set (tests/tickets/classification_set.yaml) this did better than fusing separate searches of each
part, which let the generic sign-on pages win. When that finds nothing the screen text, then the code, are
tried alone. Confidence is the best article's share of the scores of the top candidates: near 1 when one
article stands out, low when several score alike.

The languages searched follow the ticket's text, not the form it came through: Chinese words typed into the
English form are searched among the Chinese articles (and the reverse); text with both is searched in both,
each language's scores scaled to its own best and added up per article. The page's language breaks a tie
only when the text has no words of either (a bare code).
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.models import Article, ResponseCode
from kb.search import MAX_QUERY_LENGTH, has_cjk, search
from tickets.access import require_ticket_writer
from tickets.models import ActorKind, Ticket, TicketClassification, TicketEvent
from tickets.services.events import event_record

CANDIDATES = 5
# A code written inside a sentence: "提示A0", "code 55", "返回05"; two characters, at least one a digit.
_CODE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])([0-9][0-9A-Z]|[A-Z][0-9])(?![0-9A-Za-z])")
# An English word: three letters or more with a lower-case one, so "MAC", "POS" or "PIN" inside Chinese text
# (terms printed on the terminal) do not make it English; "wifi" alone does not either (see ENGLISH_WORDS).
_ENGLISH_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]*[a-z][A-Za-z]*(?![A-Za-z])")
ENGLISH_WORDS = 3
CHINESE, ENGLISH = "zh-hans", "en"


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


def _text(ticket) -> str:
    steps = " ".join(str(step) for step in (ticket.steps or []))
    return " ".join(part for part in (ticket.screen_text, ticket.description, steps) if part)


def text_languages(text: str, *, fallback: str) -> list[str]:
    """The article languages to search for this text: its own, both when it mixes them, else `fallback`."""
    english = len([word for word in _ENGLISH_WORD.findall(text) if len(word) >= 3]) >= ENGLISH_WORDS
    found = [language for language, present in ((CHINESE, has_cjk(text)), (ENGLISH, english)) if present]
    if not found:
        return [fallback]
    return sorted(found, key=lambda language: language != fallback)  # the page's language first on a tie


def _merged(suggestions: list[Suggestion]) -> Suggestion:
    """One ranking from a search per language: each scaled to its best score, the shares of a slug added, so
    an article both halves of the text point to comes first."""
    best: dict[str, float] = {}
    for suggestion in suggestions:
        top = max((score for _slug, score in suggestion.articles), default=0.0)
        for slug, score in suggestion.articles:
            best[slug] = best.get(slug, 0.0) + (score / top if top > 0 else 0.0)
    articles = sorted(best.items(), key=lambda item: -item[1])[:CANDIDATES]
    total = sum(score for _slug, score in articles)
    return Suggestion(
        articles=articles,
        response_code=next((s.response_code for s in suggestions if s.response_code), ""),
        confidence=round(articles[0][1] / total, 2) if total else 0.0,
    )


def classify_ticket(ticket) -> Suggestion:
    """The suggestion for a ticket in the language(s) of its text; the form's language only as a fallback."""
    languages = text_languages(_text(ticket), fallback=ticket.language)
    suggestions = [classify_text(ticket, language=language) for language in languages]
    return suggestions[0] if len(suggestions) == 1 else _merged(suggestions)


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


def stored_suggestion(ticket: Ticket) -> TicketClassification | None:
    """What the page shows: the suggestion the task stored, or None while it has not run yet (never computed
    here, so no agent's view waits for the search)."""
    try:
        return ticket.classification
    except TicketClassification.DoesNotExist:
        return None


def suggestion_for(ticket: Ticket) -> TicketClassification:
    """The stored suggestion, computed and stored when there is none yet (the task; a review)."""
    stored = stored_suggestion(ticket)
    if stored is not None:
        return stored
    suggestion = classify_ticket(ticket)
    try:
        with transaction.atomic():
            return TicketClassification.objects.create(
                ticket=ticket,
                article_slug=suggestion.article_slug,
                response_code=suggestion.response_code,
                confidence=suggestion.confidence,
                candidates=[slug for slug, _score in suggestion.articles],
            )
    except IntegrityError:  # another run stored it first
        return TicketClassification.objects.get(ticket=ticket)


def suggestion_refresh(ticket: Ticket) -> TicketClassification:
    """Classify again after the ticket's text changed; a suggestion an agent already reviewed is kept."""
    stored = stored_suggestion(ticket)
    if stored is None:
        return suggestion_for(ticket)
    if stored.verdict != TicketClassification.Verdict.PENDING:
        return stored
    suggestion = classify_ticket(ticket)
    stored.article_slug, stored.response_code = suggestion.article_slug, suggestion.response_code
    stored.confidence = suggestion.confidence
    stored.candidates = [slug for slug, _score in suggestion.articles]
    stored.save(update_fields=["article_slug", "response_code", "confidence", "candidates"])
    return stored


def suggestion_compute(*, ticket: Ticket, agent) -> TicketClassification:
    """An agent asks for the suggestion of a ticket the task has not classified yet."""
    require_ticket_writer(agent)
    return suggestion_for(ticket)


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
