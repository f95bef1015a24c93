from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The heartbeat task the readiness check last queued for the task worker (infra/health.py).

    One row: every web process reads it, so all of them watch the same queued task instead of each queueing
    its own. The task's own result (status, finish time) lives with the task backend.
    """

    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        db_table = "portal_workerheartbeat"  # created while the model lived in portal (infra/migrations/0001)
        constraints = [models.CheckConstraint(condition=Q(id=1), name="one_worker_heartbeat")]

    def __str__(self):
        return f"worker heartbeat {self.task_id or '(none queued)'}"


class AuditEvent(models.Model):
    """Who changed one of the settings the desk runs on (canned replies, time targets, calendars), and how.

    Written by the services in the transaction of the change, whoever called them (the admin, a command).
    Tickets keep their own history (tickets.TicketEvent). The object is named by its model and key rather
    than a foreign key, so its record outlives a deletion; the user name is kept for the same reason.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        CHANGED = "changed", _("changed")
        DELETED = "deleted", _("deleted")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=8, choices=Action)
    model = models.CharField(_("kind"), max_length=100)  # "app_label.model_name"
    object_id = models.CharField(_("object ID"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    # {field: [old, new]}, both as text.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        db_table = "portal_auditevent"  # created while the model lived in portal (infra/migrations/0001)
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["model", "object_id"], name="audit_object")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.actor_username or '—'} {self.action} {self.model} {self.object_repr}"
