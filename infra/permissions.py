"""Each user's permissions and the assignable agents, kept in the shared cache under one generation that
any change to users, groups or permissions moves on (the admin's writes included): an agent page reads
them without a query, and a revoked agent loses access on their very next request.
"""

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from infra import generations

GENERATION_KEY = "auth:generation"
KEEP_SECONDS = 3600


def rights_changed(**_signal) -> None:
    generations.bump(GENERATION_KEY)


def _user_saved(update_fields=None, **signal) -> None:
    # Signing in saves last_login only, which grants nothing.
    if update_fields is None or set(update_fields) != {"last_login"}:
        rights_changed(**signal)


def shared(name: str, compute):
    """`compute()`, kept until rights next change (its value must pickle)."""
    key = f"auth:{name}"
    generation, found = generations.read([GENERATION_KEY], key)
    kept = found.get(key)
    if generation is None:  # Redis unreachable: from the database, as without a cache
        return compute()
    if kept is not None and kept[0] == generation:
        return kept[1]
    value = compute()
    cache.set(key, (generation, value), timeout=KEEP_SECONDS)
    return value


def permission_names(user) -> set[str]:
    """Every "app_label.codename" the user holds, their own and their groups', in ONE query (Django's
    backend asks twice: the user's permissions, then the groups'). A superuser holds every permission."""
    held = Permission.objects.all()
    if not user.is_superuser:
        held = held.filter(Q(user=user) | Q(group__user=user))
    pairs = held.order_by().values_list("content_type__app_label", "codename").distinct()
    return {f"{app_label}.{codename}" for app_label, codename in pairs}


class ModelBackend(backends.ModelBackend):
    """Django's, with each user's set of permissions read from the shared cache (one read per check, no
    query) and computed, when the cache has none, in one query instead of two."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return shared(f"permissions:{user_obj.pk}", lambda: permission_names(user_obj))


def connect() -> None:
    user = get_user_model()
    for through in (user.groups.through, user.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(rights_changed, sender=through, dispatch_uid=f"rights-{through._meta.label}")
    post_save.connect(_user_saved, sender=user, dispatch_uid="rights-user-saved")
    for model in (Group, Permission):
        post_save.connect(rights_changed, sender=model, dispatch_uid=f"rights-{model._meta.label}-saved")
    for deleted in (user, Group, Permission):
        post_delete.connect(rights_changed, sender=deleted, dispatch_uid=f"rights-{deleted._meta.label}-deleted")
