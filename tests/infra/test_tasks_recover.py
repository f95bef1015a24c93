"""Tasks a dead worker left RUNNING are queued again (`manage.py tasks_recover`), and only those."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tickets.tasks import ticket_classify

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed(settings):
    """A task a worker named "w1" has claimed (what db_worker does before running it)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = ticket_classify.enqueue(ticket_id=0)
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("w1")
    return row


def recover(*args) -> str:
    out = StringIO()
    call_command("tasks_recover", *args, stdout=out)
    return out.getvalue()


def status(row) -> str:
    row.refresh_from_db()
    return row.status


def test_a_task_running_for_longer_than_the_limit_is_queued_again(claimed, settings):
    with time_machine.travel(timezone.now() + timedelta(minutes=settings.TASK_STALE_MINUTES + 1)):
        assert recover().startswith("1 task")
    assert status(claimed) == TaskResultStatus.READY


def test_a_task_still_within_the_limit_is_left_to_its_worker(claimed):
    assert recover().startswith("0 task")
    assert status(claimed) == TaskResultStatus.RUNNING


def test_the_tasks_of_a_worker_known_dead_are_queued_again_at_once(claimed):
    assert recover("--dead-worker", "w2").startswith("0 task")
    assert recover("--dead-worker", "w1").startswith("1 task")
    assert status(claimed) == TaskResultStatus.READY


def test_a_task_that_failed_because_the_database_went_away_is_queued_again(claimed):
    DBTaskResult.objects.filter(pk=claimed.pk).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="django.db.utils.OperationalError",
    )
    recover()
    assert status(claimed) == TaskResultStatus.READY


def test_a_task_that_failed_for_its_own_reasons_stays_failed(claimed):
    DBTaskResult.objects.filter(pk=claimed.pk).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now(), exception_class_path="builtins.ValueError"
    )
    recover()
    assert status(claimed) == TaskResultStatus.FAILED
