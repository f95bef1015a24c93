"""The one error ninja answers by itself, outside the API's exception handlers: a method the address does not
take (405, plain text). Turned into the API's problem document, so every error has one shape."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from api import problems

PREFIX = "/api/v1/"


class MethodNotAllowedProblemMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or not request.path.startswith(PREFIX):
            return response
        allowed = response.get("Allow", "")
        # In the language the caller asks for, as the API's other errors (its addresses carry none).
        with translation.override(translation.get_language_from_request(request, check_path=False)):
            problem = problems.Problem(
                405,
                _("Method not allowed"),
                _("This address takes %(methods)s.") % {"methods": allowed},
                headers={"Allow": allowed},
            )
            return problems.response(request, problem)
