"""Writes of the console's own data (an agent's preferences)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agents.models import AgentPreference


@transaction.atomic
def agent_language_set(*, agent, language: str) -> AgentPreference:
    """The language the agent's console and emails use."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose one of the offered languages."))
    preference, _created = AgentPreference.objects.update_or_create(user=agent, defaults={"language": language})
    return preference
