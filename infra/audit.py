"""The record of who changed a setting, written by the services that change it (infra.models.AuditEvent).

A service takes the values it is about to change with `values_of`, makes the change, and passes the before
and after to `audit_record` in the same transaction: the row names the actor, the object and each field's old
and new value, so nothing is recorded for a save that changed nothing.
"""

from collections.abc import Iterable, Mapping

from django.contrib.auth.models import AnonymousUser, User
from django.db import models, transaction
from django.utils import timezone

from infra.models import AuditEvent

Action = AuditEvent.Action


def values_of(instance: models.Model, names: Iterable[str]) -> dict[str, str]:
    """The fields' values as the record shows them: text, an empty value as ""."""
    return {name: _text(getattr(instance, name)) for name in names}


def values_stored(instance: models.Model, names: Iterable[str]) -> dict[str, str]:
    """The fields' values as the database has them, row locked: what an update service compares against.

    Not the instance's own: the admin's form has already put the new values on the object it hands over.
    """
    stored = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    return values_of(stored, names)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def changes_between(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, list[str]]:
    """{field: [old, new]} for each field whose value differs (a field on one side only counts as changed)."""
    names = [*before, *(name for name in after if name not in before)]
    return {name: [before.get(name, ""), after.get(name, "")] for name in names if before.get(name) != after.get(name)}


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    instance: models.Model,
    before: Mapping[str, str] | None = None,
    after: Mapping[str, str] | None = None,
) -> AuditEvent | None:
    """Record a change to `instance` (call it before deleting, so its key is still there).

    A change whose before and after agree records nothing and returns None.
    """
    changes = changes_between(before or {}, after or {})
    if action == Action.CHANGED and not changes:
        return None
    user = actor if isinstance(actor, User) and actor.pk else None  # the system, or nobody signed in: no one
    return AuditEvent.objects.create(
        actor=user,
        actor_username=user.get_username() if user else "",
        action=action,
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes,
    )


def audited_revoke[M: models.Model](*, actor: User | AnonymousUser | None, instance: M, audited: Iterable[str]) -> M:
    """Stamp `revoked_at` on the locked row and record the change; revoking twice changes and records nothing.

    For credentials that stop working at once but keep their row (API tokens, terminal stickers).
    """
    names = list(audited)
    with transaction.atomic():
        row = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        if getattr(row, "revoked_at") is None:  # noqa: B009 - any model with the field, not one class
            before = values_of(row, names)
            setattr(row, "revoked_at", timezone.now())  # noqa: B010
            row.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action=Action.CHANGED, instance=row, before=before, after=values_of(row, names))
    return row
