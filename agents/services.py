"""The console's own writes: what an agent has seen, who is an agent or an editor, and an agent's own
preferences. Changes to tickets go through tickets.services."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.models import AgentPreference, TicketSeen
from agents.queue_cache import seen_generation_key
from agents.roles import ROLES_BY_KEY
from infra import generations
from infra.audit import Action, audit_record, values_of


def ticket_seen_record(*, agent, ticket, now: datetime | None = None) -> None:
    """Mark every message the ticket has now as seen by this agent: one upsert, cheap enough for each GET.

    Not a TicketEvent: opening a ticket changes nothing on it, and a history entry per visit would bury
    the changes that matter.
    """
    TicketSeen.objects.bulk_create(
        [TicketSeen(agent=agent, ticket=ticket, seen_at=now or timezone.now())],
        update_conflicts=True,
        unique_fields=["agent", "ticket"],
        update_fields=["seen_at"],
    )
    # The queue's unread counts kept for this agent are stale now.
    generations.bump(seen_generation_key(agent.pk))


def _roles_of(user) -> str:
    return ", ".join(sorted(user.groups.values_list("name", flat=True)))


@transaction.atomic
def user_role_set(*, actor, user, role: str, granted: bool = True) -> None:
    """Make `user` an agent or an editor (`role`: "agent" or "editor"), or take the role back.

    A role is membership of its group (agents.roles) and staff status, without which neither the console
    nor the admin opens; taking the last role back leaves staff status to whoever manages accounts.
    `actor` None is the command line; from the admin it must be someone who may change users.
    """
    if actor is not None and not actor.has_perm("auth.change_user"):
        raise PermissionDenied
    if role not in ROLES_BY_KEY:
        raise ValidationError(_("Unknown role “%(role)s”: use agent or editor.") % {"role": role})
    if not user.is_active:
        raise ValidationError(_("%(user)s is deactivated; activate the account first.") % {"user": user.get_username()})
    group, _created = Group.objects.get_or_create(name=ROLES_BY_KEY[role])
    before = {"groups": _roles_of(user), "is_staff": str(user.is_staff)}
    if granted:
        user.groups.add(group)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    else:
        user.groups.remove(group)
    after = {"groups": _roles_of(user), "is_staff": str(user.is_staff)}
    audit_record(actor=actor, action=Action.CHANGED, instance=user, before=before, after=after)


_PREFERENCE_RECORDED = ("language",)


@transaction.atomic
def agent_language_set(*, agent, language: str, actor=None) -> AgentPreference:
    """The language the agent's console and emails use, audited. `actor` None is the agent choosing for
    themselves (the header's switch); anyone else (the admin) needs the right to change preferences."""
    actor = agent if actor is None else actor
    if actor.pk != agent.pk and not actor.has_perm("agents.change_agentpreference"):
        raise PermissionDenied
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose one of the offered languages."))
    preference = AgentPreference.objects.select_for_update().filter(user=agent).first()
    before = values_of(preference, _PREFERENCE_RECORDED) if preference else {}
    preference = preference or AgentPreference(user=agent)
    preference.language = language
    preference.save()
    action = Action.CHANGED if before else Action.CREATED
    after = values_of(preference, _PREFERENCE_RECORDED)
    audit_record(actor=actor, action=action, instance=preference, before=before, after=after)
    return preference


@transaction.atomic
def agent_preference_delete(*, actor, preference: AgentPreference) -> None:
    """Forget the agent's choice: the console and their emails are in the default language again."""
    if actor.pk != preference.user_id and not actor.has_perm("agents.delete_agentpreference"):
        raise PermissionDenied
    before = values_of(preference, _PREFERENCE_RECORDED)
    audit_record(actor=actor, action=Action.DELETED, instance=preference, before=before)
    preference.delete()
