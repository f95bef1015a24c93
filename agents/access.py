"""The console's one gate: support agents only, everyone else gets 404 so the console cannot be found."""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, cast

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from tickets.access import is_agent


class AgentRequest(HttpRequest):
    """A request `agent_required` let through: its user is a signed-in agent, never anonymous."""

    user: User  # narrower than HttpRequest's: the gate has run


def agent_required[**P, R: HttpResponseBase](
    view: Callable[Concatenate[AgentRequest, P], R],
) -> Callable[Concatenate[HttpRequest, P], R]:
    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if not is_agent(request.user):
            raise Http404
        return view(cast(AgentRequest, request), *args, **kwargs)

    return wrapper
