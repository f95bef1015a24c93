"""The third-party apps under names of our own, so the admin reads in the visitor's language."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class SignInLockoutConfig(AxesAppConfig):
    verbose_name = _("Sign-in lockout")


class TaskQueueConfig(TasksAppConfig):
    verbose_name = _("Background tasks")
