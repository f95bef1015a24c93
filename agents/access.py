"""The console's one gate: support agents only. A visitor who is not signed in is sent to sign in and back
(the console's address is no secret); anyone signed in who is not an agent gets 404, so a merchant's
account cannot probe which tickets or views exist."""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, cast

from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
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
        if not request.user.is_authenticated:
            # A redirect is an HttpResponse, which every console view returns.
            return cast(R, redirect_to_login(request.get_full_path()))
        if not is_agent(request.user):
            raise Http404
        return view(cast(AgentRequest, request), *args, **kwargs)

    return wrapper
