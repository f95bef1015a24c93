"""Liveness and readiness, for load balancers, orchestrators and monitoring (docs/operations.md).

/healthz: the process answers; nothing else is touched, so a database outage never gets web processes
restarted for it. /readyz: each dependency, named, through django-health-check: the database, the cache,
the uploads storage, the task worker and the task backlog. Neither endpoint reads a session, is rate-limited
or goes through the page cache (none of those is middleware here: each is opted into by a view).
"""

import asyncio
import dataclasses
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import JsonResponse
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, default_task_backend, task_backends
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from health_check import Cache, Database, HealthCheck, Storage
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from infra.models import WorkerHeartbeat
from infra.tasks import worker_heartbeat

WAITING = {TaskResultStatus.READY, TaskResultStatus.RUNNING}


@dataclasses.dataclass
class TaskWorker(HealthCheck):
    """A worker takes tasks: the last heartbeat task queued has run, or has not waited longer than allowed.

    The check itself queues the heartbeat (one at a time for all web processes, at most every quarter of the
    allowed wait), so nothing is added to the worker and an idle night is not mistaken for a dead worker: a
    worker is late only when a heartbeat has been waiting for it. A dead worker shows within 1.25 × the
    allowed wait of the previous heartbeat, given probes at least that often.
    """

    async def run(self):
        # In the request's own thread, whose database connection Django closes or keeps as for any request;
        # the library's thread pool would open one per pool thread that nothing ever closes.
        await sync_to_async(self.check)()

    def check(self):
        if not default_task_backend.supports_get_result:
            return  # tasks run inside the request (TASKS_BACKEND=immediate): there is no worker to wait for
        max_age = timedelta(seconds=settings.HEALTH_WORKER_MAX_AGE_SECONDS)
        heartbeat, _ = WorkerHeartbeat.objects.get_or_create(pk=1)
        result = last_heartbeat(heartbeat.task_id)
        now = timezone.now()
        if result is not None and result.status in WAITING:
            waited = now - result.enqueued_at
            if waited > max_age:
                seconds = int(waited.total_seconds())
                raise ServiceUnavailable(f"no worker has run the heartbeat task queued {seconds} s ago")
            return
        if result is None or result.finished_at is None or now - result.finished_at >= max_age / 4:
            queue_heartbeat(previous=heartbeat.task_id)


def last_heartbeat(task_id: str):
    if not task_id:
        return None
    try:
        return default_task_backend.get_result(task_id)
    except TaskResultDoesNotExist:  # pruned, or lost with the queue: queue another
        return None


def queue_heartbeat(*, previous: str) -> None:
    result = worker_heartbeat.enqueue()
    # Only one web process records its heartbeat; another's, queued at the same moment, just runs unwatched.
    WorkerHeartbeat.objects.filter(pk=1, task_id=previous).update(task_id=result.id)


@dataclasses.dataclass
class TaskBacklog(HealthCheck):
    """Tasks due and not yet taken stay under HEALTH_TASK_BACKLOG_MAX.

    Counted over at most max + 1 rows of django-tasks-db's ready tasks, which its partial index on
    status = READY serves, so a huge backlog costs no more to report than a small one.
    """

    async def run(self):
        await sync_to_async(self.check)()  # in the request's thread, as TaskWorker says why

    def check(self):
        if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            return  # no queue: tasks run inside the request
        limit = settings.HEALTH_TASK_BACKLOG_MAX
        waiting = DBTaskResult.objects.ready()[: limit + 1].count()
        if waiting > limit:
            raise ServiceUnavailable(f"more than {limit} tasks are waiting for a worker")


# What operators see in the JSON body, one name per part.
PARTS = {
    "database": Database,
    "cache": Cache,
    "storage": Storage,
    "task_worker": TaskWorker,
    "task_backlog": TaskBacklog,
}


class ReadinessView(HealthCheckView):
    """django-health-check's view with a body of our own: each part by name, and 503 when any fails.

    Its own JSON names checks by their repr and answers 500 (read by monitors as a bug in the portal);
    a load balancer and an operator both want "not ready, because of this part".
    """

    checks = tuple(PARTS.values())

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        names = {check: name for name, check in PARTS.items()}
        parts = {names[type(result.check)]: str(result.error) if result.error else "ok" for result in results}
        failing = [name for name, state in parts.items() if state != "ok"]
        body = {"status": "error" if failing else "ok", "failing": failing, "checks": parts}
        return JsonResponse(body, status=503 if failing else 200)


readiness = ReadinessView.as_view()


@never_cache
@require_GET
def liveness(request):
    """The process is up and answering: no database, cache or file is touched."""
    return JsonResponse({"status": "ok"})
