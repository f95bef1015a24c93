"""Every error in one shape: RFC 9457 problem details (`application/problem+json`), in the caller's language
(Accept-Language, read by Django's LocaleMiddleware)."""

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    def __init__(self, status: int, title: str, detail: str = "", *, errors: dict | None = None, headers=None):
        super().__init__(title)
        self.status, self.title, self.detail = status, title, detail
        self.errors = errors or {}
        self.headers = headers or {}


def response(request: HttpRequest, problem: Problem) -> JsonResponse:
    body: dict = {"type": "about:blank", "title": problem.title, "status": problem.status}
    if problem.detail:
        body["detail"] = problem.detail
    body["instance"] = request.path
    if problem.errors:
        body["errors"] = problem.errors
    answer = JsonResponse(
        body, status=problem.status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in problem.headers.items():
        answer[name] = value
    return answer


def not_found() -> Problem:
    return Problem(404, _("Not found"), _("There is nothing here, or this token may not see it."))


def unauthorized() -> Problem:
    return Problem(
        401,
        _("Token missing or not valid"),
        _("Send a valid, unrevoked token as 'Authorization: Bearer <token>'."),
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
    )


def forbidden(scope: str) -> Problem:
    return Problem(403, _("Not allowed for this token"), _("This token lacks the scope %(scope)s.") % {"scope": scope})


def invalid(errors: dict) -> Problem:
    return Problem(400, _("The request is not valid"), _("See 'errors' for each field."), errors=errors)


def too_many(wait: int) -> Problem:
    return Problem(
        429,
        _("Too many requests"),
        _("Please wait %(seconds)s seconds and try again.") % {"seconds": wait},
        headers={"Retry-After": str(wait)},
    )
