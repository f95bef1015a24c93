"""The REST API, /api/v1/: thin endpoints over the same services, selectors and gates as the web pages.

Public reads (search, articles, categories, codes) need no token and are cacheable (ETag); tickets need an
integrator token (the tickets it filed) or an agent token (what its agent may do in the console).
"""

import hashlib
import json
from functools import wraps
from math import ceil
from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer
from pydantic import Field

import ocr
from api import access, problems, selectors, services
from api.models import ApiClient, Scope
from api.schemas import (
    AgentReplyIn,
    ArticleOut,
    ArticleSummaryOut,
    CategoryOut,
    CodeOut,
    MessageOut,
    PhotoSearchOut,
    ProblemOut,
    SearchOut,
    TicketChangeIn,
    TicketCreatedOut,
    TicketOut,
    TicketPageOut,
    TicketSummaryOut,
)
from infra import mail, ratelimit
from infra.i18n import current_language
from tickets import photos, uploads
from tickets import services as ticket_services
from tickets.access import TOKEN_PREFIX

PROBLEMS = dict.fromkeys((400, 401, 403, 404, 413, 429), ProblemOut)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = access.client_for(token)
        if client is not None:
            _limit(request, client=client)
            services.api_client_used(client=client)
        return client


class Utf8Renderer(JSONRenderer):
    """Chinese as itself, not \\u escapes: what an integrator reads in its logs, as the problems and the
    cacheable answers already are."""

    json_dumps_params = {"ensure_ascii": False}


class SingleValueParser(Parser):
    """A parameter documented as one value, sent several times (`?priority=a&priority=b`), is refused rather
    than silently read as its last value: the caller meant something the API does not do."""

    def parse_querydict(self, data, list_fields, request):
        repeated = [key for key in data if key not in list_fields and len(data.getlist(key)) > 1]
        if repeated:
            raise NinjaValidationError([{"loc": ("query", key), "type": "repeated"} for key in repeated])
        return super().parse_querydict(data, list_fields, request)


class PortalApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Ninja documents every answer as application/json; errors are problem documents."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for item in schema["paths"].values():
            for operation in item.values():
                for status, answer in operation.get("responses", {}).items():
                    if str(status)[0] in "45" and "application/json" in answer.get("content", {}):
                        answer["content"] = {problems.CONTENT_TYPE: answer["content"]["application/json"]}
                    if str(status) == "401":
                        answer.setdefault("headers", {})["WWW-Authenticate"] = {"schema": {"type": "string"}}
                    if str(status) in ("429", "503"):
                        answer.setdefault("headers", {})["Retry-After"] = {"schema": {"type": "string"}}
        return schema


api = PortalApi(
    title="POS support portal API",
    version="1",
    urls_namespace="v1",
    description=_(
        "Knowledge-base search and articles for anyone; tickets for integrators (acquirers, terminal "
        "management systems) and agents, with a token made in the admin. Errors are RFC 9457 problem details."
    ),
    docs_url="/docs",
    renderer=Utf8Renderer(),
    parser=SingleValueParser(),
)


@api.exception_handler(problems.Problem)
def _problem(request, error: problems.Problem):
    return problems.response(request, error)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, error):
    return problems.response(request, problems.unauthorized())


def _message(item: dict) -> str:
    """A parameter's error in the caller's language (pydantic's own messages are English only)."""
    ctx = item.get("ctx") or {}
    kind = item.get("type", "")
    if kind == "missing":
        return _("This is required.")
    if kind == "repeated":
        return _("Give this parameter once.")
    if kind == "literal_error":
        return _("Use one of: %(values)s.") % {"values": ctx.get("expected", "")}
    if kind in ("string_too_short", "string_too_long"):
        return _("Use at most %(max)s characters, and at least %(min)s.") % {
            "max": ctx.get("max_length", "…"),
            "min": ctx.get("min_length", 1),
        }
    if kind in ("greater_than_equal", "less_than_equal", "int_parsing", "int_from_float"):
        return _("Use a whole number in the documented range.")
    return _("This value is not valid here.")


@api.exception_handler(NinjaValidationError)
def _invalid(request, error: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for item in error.errors:
        name = ".".join(str(part) for part in item.get("loc", [])[1:]) or "request"
        errors.setdefault(name, []).append(_message(item))
    return problems.response(request, problems.invalid(errors))


@api.exception_handler(HttpError)
def _http_error(request, error: HttpError):
    return problems.response(request, problems.Problem(error.status_code, str(error)))


def _limit(request: HttpRequest, *, client: ApiClient | None = None) -> None:
    """Per token when there is one, else per address (benchmarks raise API_*_RATE_LIMIT in the environment)."""
    if client is not None:
        limit = ratelimit.Limit("api-token", settings.API_TOKEN_RATE_LIMIT, 60)
        key = str(client.pk)
    else:
        limit = ratelimit.Limit("api-public", settings.API_PUBLIC_RATE_LIMIT, 60, when_down=ratelimit.OPEN)
        key = ratelimit.client_address(request)
    wait = ratelimit.attempt([(limit, key)])
    if wait:
        raise problems.too_many(wait)


type Lang = Literal["zh-hans", "en"]


def _language(request: HttpRequest, lang: str | None) -> str:
    return lang or current_language()


def _cacheable(request: HttpRequest, payload, *, language: str) -> HttpResponse:
    """JSON with a strong ETag from its bytes: a client that has it gets 304 and no body."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        answer = HttpResponse(status=304)
    else:
        answer = HttpResponse(body, content_type="application/json")
    answer["ETag"] = etag
    answer["Cache-Control"] = f"public, max-age={settings.API_CACHE_SECONDS}"
    answer["Vary"] = "Accept-Language"
    answer["Content-Language"] = language  # the answer's, which ?lang= may choose over Accept-Language
    return answer


def _callers_language(view):
    """The site serves unprefixed addresses in Chinese; the API answers in the language the caller asks for
    with Accept-Language (Chinese by default), errors included."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with translation.override(translation.get_language_from_request(request, check_path=False)):
            request.LANGUAGE_CODE = translation.get_language()
            return view(request, *args, **kwargs)

    return wrapper


public = Router(tags=["knowledge base"])


@public.get("/search", response={200: SearchOut, **PROBLEMS}, summary="Search the knowledge base")
def search(
    request: HttpRequest,
    q: Annotated[str, Field(min_length=1, max_length=200)],
    lang: Lang | None = None,
    limit: Annotated[int, Field(ge=1, le=20)] = 5,
):
    """The same search as the site's, for a screen text, a response code or a description."""
    _limit(request)
    if not q.strip() or len(q) > 200:
        raise problems.invalid({"q": [_("Type between 1 and 200 characters.")]})
    language = _language(request, lang)
    return _cacheable(request, selectors.search(q, language=language, limit=limit), language=language)


@public.get("/categories", response={200: list[CategoryOut], **PROBLEMS}, summary="Article categories")
def categories(request: HttpRequest, lang: Lang | None = None):
    _limit(request)
    language = _language(request, lang)
    return _cacheable(request, selectors.categories(language=language), language=language)


@public.get("/articles", response={200: list[ArticleSummaryOut], **PROBLEMS}, summary="Published articles")
def articles(request: HttpRequest, lang: Lang | None = None, category: str | None = None):
    _limit(request)
    language = _language(request, lang)
    return _cacheable(request, selectors.articles(language=language, category=category), language=language)


@public.get("/articles/{slug}", response={200: ArticleOut, **PROBLEMS}, summary="One article")
def article(request: HttpRequest, slug: str, lang: Lang | None = None):
    _limit(request)
    language = _language(request, lang)
    found = selectors.article(slug=slug, language=language)
    if found is None:
        raise problems.not_found()
    return _cacheable(request, found, language=language)


@public.get("/codes", response={200: list[CodeOut], **PROBLEMS}, summary="Response codes")
def codes(request: HttpRequest, lang: Lang | None = None):
    _limit(request)
    language = _language(request, lang)
    return _cacheable(request, selectors.codes(language=language), language=language)


@public.get("/codes/{code}", response={200: CodeOut, **PROBLEMS}, summary="One response code")
def code(request: HttpRequest, code: str, lang: Lang | None = None):
    _limit(request)
    language = _language(request, lang)
    found = selectors.code(code, language=language)
    if found is None:
        raise problems.not_found()
    return _cacheable(request, found, language=language)


PHOTO_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["photo"],
                    "properties": {
                        "photo": {"type": "string", "format": "binary"},
                        "lang": {"type": "string", "enum": ["zh-hans", "en"]},
                    },
                }
            }
        },
    },
}


def _photo(request: HttpRequest):
    """The multipart `photo` and `lang`, read through the ticket form's size-limiting upload handler."""
    request.upload_handlers.insert(0, uploads.LimitUploadHandler(request))
    try:
        upload, lang = request.FILES.get("photo"), request.POST.get("lang") or None
    except (RequestDataTooBig, TooManyFieldsSent):
        raise problems.Problem(413, _("The request is too large")) from None
    except MultiPartParserError:
        raise problems.invalid({"photo": [_("This is required.")]}) from None
    if upload is None:
        raise problems.invalid({"photo": [_("This is required.")]})
    if lang not in (None, "zh-hans", "en"):
        raise problems.invalid({"lang": [_("Use one of: %(values)s.") % {"values": "'zh-hans', 'en'"}]})
    return upload, lang


@public.post(
    "/search/photo",
    response={200: PhotoSearchOut, **PROBLEMS, 503: ProblemOut},
    openapi_extra=PHOTO_BODY,
    summary="Search the knowledge base with a photo of the screen",
)
def search_photo(request: HttpRequest):
    """A photo of the terminal's screen or a receipt (the ticket form's upload checks): the text read
    (card numbers masked), the response codes it names, and the results of GET /search for it. 503 with
    Retry-After when every reading slot is taken."""
    _limit(request)
    upload, lang = _photo(request)
    try:
        read = photos.photo_read(photos.photo_checked(upload))
    except ValidationError as error:
        raise problems.invalid({"photo": error.messages}) from None
    except ocr.Busy:
        wait = str(settings.OCR_RETRY_AFTER_SECONDS)
        raise problems.Problem(
            503, _("Busy"), _("Please try again in a few seconds."), headers={"Retry-After": wait}
        ) from None
    except ocr.Unavailable:
        raise problems.Problem(503, _("The photo could not be read now"), headers={"Retry-After": "30"}) from None
    query = photos.photo_query(read)
    results = selectors.search(query, language=_language(request, lang), limit=5)["results"] if query else []
    return {"text": read.text, "codes": read.codes, "results": results}


integrator = Router(tags=["tickets (integrators)"], auth=TokenAuth())

TICKET_FORM_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["contact_name", "merchant_id", "terminal_id", "occurred_at", "description"],
                    "properties": {
                        **{
                            name: {"type": "string"}
                            for name in (
                                "contact_name",
                                "phone",
                                "email",
                                "merchant_id",
                                "terminal_id",
                                "serial_number",
                                "terminal_model",
                                "acquirer",
                                "occurred_at",
                                "occurred_when",
                                "location",
                                "response_code",
                                "screen_text",
                                "description",
                                "amount",
                                "trace_number",
                                "batch_number",
                                "reference_number",
                                "auth_code",
                                "card_masked",
                            )
                        },
                        "steps": {"type": "array", "items": {"type": "string"}},
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                }
            }
        },
    },
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "maxLength": 64},
            "description": "The same key again returns the ticket made the first time, never a second one.",
        }
    ],
}
MESSAGE_FORM_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["body"],
                    "properties": {
                        "body": {"type": "string"},
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                }
            }
        },
    }
}


def _multipart(request: HttpRequest):
    """The request's fields and files, read through the web form's size-limiting upload handler (a file over
    the limit is never written to disk whole)."""
    request.upload_handlers.insert(0, uploads.LimitUploadHandler(request))
    try:
        return request.POST, request.FILES.getlist("files")
    except (RequestDataTooBig, TooManyFieldsSent):
        raise problems.Problem(413, _("The request is too large")) from None


def _field_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
    return {"request": [str(m) for m in error.messages]}


@integrator.post(
    "/tickets",
    response={201: TicketCreatedOut, 200: TicketCreatedOut, **PROBLEMS},
    openapi_extra=TICKET_FORM_BODY,
    summary="File a ticket for a merchant",
)
def ticket_create(request: HttpRequest):
    """The web form's fields, validation, card masking and upload checks; photos and logs as `files`."""
    client: ApiClient = request.auth  # type: ignore[attr-defined]
    access.require(client, Scope.TICKETS_CREATE)
    data, files = _multipart(request)
    key = request.headers.get("Idempotency-Key", "")[:64]
    try:
        ticket, created = services.api_ticket_create(
            client=client,
            data=data,
            files=files,
            idempotency_key=key,
            language=current_language(),
            tracking_url=lambda token: mail.site_link(reverse("tickets:detail", kwargs={"key": TOKEN_PREFIX + token})),
        )
    except ValidationError as error:
        raise problems.invalid(_field_errors(error)) from None
    token = getattr(ticket, "access_token", None)
    link = mail.site_link(reverse("tickets:detail", kwargs={"key": TOKEN_PREFIX + token})) if token else None
    body = {"reference": ticket.reference, "status": ticket.status, "created": created, "tracking_url": link}
    return Status(201 if created else 200, body)


@integrator.get("/tickets/{reference}", response={200: TicketOut, **PROBLEMS}, summary="A ticket it filed")
def ticket_detail(request: HttpRequest, reference: str):
    client: ApiClient = request.auth  # type: ignore[attr-defined]
    access.require(client, Scope.TICKETS_READ)
    return selectors.ticket(access.integrator_ticket(client, reference), internal=False)


@integrator.post(
    "/tickets/{reference}/messages",
    response={201: MessageOut, **PROBLEMS},
    openapi_extra=MESSAGE_FORM_BODY,
    summary="Add the merchant's message",
)
def ticket_message(request: HttpRequest, reference: str):
    client: ApiClient = request.auth  # type: ignore[attr-defined]
    access.require(client, Scope.MESSAGES_CREATE)
    ticket = access.integrator_ticket(client, reference)
    data, files = _multipart(request)
    body, _masked = ticket_services.mask_text("body", data.get("body", ""))
    try:
        message = ticket_services.ticket_reply(ticket=ticket, author=None, body=body, files=files)
    except ValidationError as error:
        raise problems.invalid(_field_errors(error)) from None
    return Status(201, selectors.message(message))


agent = Router(tags=["tickets (agents)"], auth=TokenAuth())
# The queue's filters, as the schema lists them (tests/api check they are Ticket.Status and Ticket.Priority).
StatusName = Literal["new", "open", "waiting_on_merchant", "resolved", "closed"]
PriorityName = Literal["low", "normal", "high", "urgent"]


def _agent(request: HttpRequest) -> ApiClient:
    client: ApiClient = request.auth  # type: ignore[attr-defined]
    access.require(client, Scope.AGENT_TICKETS)
    return client


@agent.get("/tickets", response={200: TicketPageOut, **PROBLEMS}, summary="The queue, filtered")
def agent_tickets(
    request: HttpRequest,
    status: StatusName | None = None,
    priority: PriorityName | None = None,
    assignee: str | None = None,
    code: str | None = None,
    terminal: str | None = None,
    page: Annotated[int, Field(ge=1)] = 1,
):
    """`assignee` is a username, or `none` for unassigned tickets; newest changes first, 50 a page."""
    _agent(request)
    rows = selectors.agent_tickets(status=status, priority=priority, assignee=assignee, code=code, terminal=terminal)
    count = rows.count()
    pages = max(1, ceil(count / selectors.PAGE_SIZE))
    if not 1 <= page <= pages:
        raise problems.invalid({"page": [_("page must be between 1 and %(pages)s.") % {"pages": pages}]})
    start = (page - 1) * selectors.PAGE_SIZE
    results = [selectors.summary(row) for row in rows[start : start + selectors.PAGE_SIZE]]
    return {"count": count, "page": page, "pages": pages, "results": results}


@agent.get("/tickets/{reference}", response={200: TicketOut, **PROBLEMS}, summary="A ticket, as agents see it")
def agent_ticket(request: HttpRequest, reference: str):
    client = _agent(request)
    ticket = access.agent_ticket(client, reference)
    return selectors.ticket(ticket, internal=client.allows(Scope.AGENT_NOTES))


@agent.patch("/tickets/{reference}", response={200: TicketSummaryOut, **PROBLEMS}, summary="Status, priority, assignee")
def agent_ticket_change(request: HttpRequest, reference: str, change: TicketChangeIn):
    client = _agent(request)
    ticket = access.agent_ticket(client, reference)
    try:
        ticket = services.agent_ticket_change(
            agent=client.user, ticket=ticket, status=change.status, priority=change.priority, assignee=change.assignee
        )
    except ValidationError as error:
        raise problems.invalid(_field_errors(error)) from None
    return selectors.summary(ticket)


@agent.post("/tickets/{reference}/replies", response={201: MessageOut, **PROBLEMS}, summary="Reply or add a note")
def agent_reply(request: HttpRequest, reference: str, reply: AgentReplyIn):
    client = _agent(request)
    if reply.internal:
        access.require(client, Scope.AGENT_NOTES)
    ticket = access.agent_ticket(client, reference)
    body, _masked = ticket_services.mask_text("body", reply.body)
    write = ticket_services.ticket_note_add if reply.internal else ticket_services.ticket_agent_reply
    try:
        message = write(ticket=ticket, agent=client.user, body=body)
    except ValidationError as error:
        raise problems.invalid(_field_errors(error)) from None
    return Status(201, selectors.message(message))


for router in (public, integrator, agent):
    router.add_decorator(_callers_language, mode="view")
api.add_router("/", public)
api.add_router("/", integrator)
api.add_router("/agent", agent)
