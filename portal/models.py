from django.db import models
from django.db.models import Q


class WorkerHeartbeat(models.Model):
    """The heartbeat task the readiness check last queued for the task worker (portal/health.py).

    One row: every web process reads it, so all of them watch the same queued task instead of each queueing
    its own. The task's own result (status, finish time) lives with the task backend.
    """

    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="one_worker_heartbeat")]

    def __str__(self):
        return f"worker heartbeat {self.task_id or '(none queued)'}"
