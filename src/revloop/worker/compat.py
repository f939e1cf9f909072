"""The tasks API: ``django.tasks`` from Django 6 on, its ``django_tasks`` backport before."""

from __future__ import annotations

try:
    from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task, task_backends  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task, task_backends

__all__ = ["DEFAULT_TASK_BACKEND_ALIAS", "TaskResultStatus", "task", "task_backends"]
