"""The portal's own background task: the worker's heartbeat."""

from django.tasks import task
from django.tasks.base import TASK_MAX_PRIORITY


# Highest priority: it measures whether a worker is taking tasks at all, not how long the queue is
# (the backlog check measures that), so it must not wait behind a burst of notifications.
@task(priority=TASK_MAX_PRIORITY)
def worker_heartbeat() -> bool:
    """Nothing to do: that the worker ran it, and when, is recorded in its task result."""
    return True
