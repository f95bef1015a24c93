"""Put back in the queue the tasks a dead worker left behind.

`db_worker` marks a task RUNNING when it claims it and nothing else until it ends; a worker killed in
between (out of memory, a deploy, the database gone under it) leaves the task RUNNING for ever. Two ways to
know it is orphaned, both from django-tasks-db's public fields (status, started_at, worker_ids):

* the worker that claimed it is known to be dead (`--dead-worker ID`, from bin/task-worker, which just saw
  it exit): at once;
* it started more than TASK_STALE_MINUTES ago (run every few minutes from cron or a systemd timer): no task
  of ours runs that long.

Tasks that failed because the database went away mid-task (OperationalError, InterfaceError) in the last
day are queued again too. Every task here is idempotent (a notification is sent once, tickets/services/
notices.py), so a task run twice by a slow worker that was not dead after all does no harm.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

DATABASE_FAILURES = ("django.db.utils.OperationalError", "django.db.utils.InterfaceError")


class Command(BaseCommand):
    help = "Queue again the tasks left RUNNING by a dead worker, or failed because the database was down."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=None, help="RUNNING for longer means orphaned.")
        parser.add_argument("--dead-worker", default="", help="The id of a worker known to have exited.")

    def handle(self, *args, minutes=None, dead_worker="", **options):
        now = timezone.now()
        stale = now - timedelta(minutes=minutes or settings.TASK_STALE_MINUTES)
        running = DBTaskResult.objects.running()
        ids = set(running.filter(started_at__lt=stale).values_list("pk", flat=True))
        if dead_worker:
            # The claiming worker is the last one named (a requeued task keeps the earlier ones).
            ids |= {pk for pk, workers in running.values_list("pk", "worker_ids") if workers[-1:] == [dead_worker]}
        lost = DBTaskResult.objects.failed().filter(
            exception_class_path__in=DATABASE_FAILURES, finished_at__gte=now - timedelta(days=1)
        )
        ids |= set(lost.values_list("pk", flat=True))
        # Only rows still in the state they were found in: a task that finished meanwhile stays finished.
        requeued = (
            DBTaskResult.objects.filter(pk__in=ids, status__in=[TaskResultStatus.RUNNING, TaskResultStatus.FAILED])
        ).update(status=TaskResultStatus.READY, run_after=now, finished_at=None)
        self.stdout.write(f"{requeued} task(s) queued again")
