"""The tasks API: ``django.tasks`` from Django 6 on, its ``django_tasks`` backport before."""

from __future__ import annotations

from typing import TYPE_CHECKING

# The checker sees the backport, which is what runs under the pinned Django 5.2: django-stubs
# already describes Django 6's django.tasks, whose classes are distinct types.
if TYPE_CHECKING:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task, task_backends
else:
    try:
        from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task, task_backends
    except ImportError:
        from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task, task_backends

__all__ = ["DEFAULT_TASK_BACKEND_ALIAS", "TaskResultStatus", "task", "task_backends"]
