"""The console's one gate: support agents only, everyone else gets 404 so the console cannot be found."""

from functools import wraps

from django.http import Http404

from tickets.access import is_agent


def agent_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_agent(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
