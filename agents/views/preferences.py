"""The agent's own settings: the language of the console and of the emails they receive."""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from agents.access import AgentRequest, agent_required
from agents.services import agent_language_set


@agent_required
@require_POST
def language_set(request: AgentRequest) -> HttpResponse:
    """The console header's language switch: switches the page as Django's set_language does, and keeps the
    choice as the agent's preference, so the emails they receive are written in it too."""
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES):
        agent_language_set(agent=request.user, language=language)
    return set_language(request)
