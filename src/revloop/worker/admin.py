from django.contrib import admin
from django.http import HttpRequest

from revloop.core.admin import HistoryAdmin
from revloop.users.policy import allows
from revloop.worker.models import JobRun, JobSchedule


def is_admin(request: HttpRequest) -> bool:
    return bool(request.user.is_staff and allows(request.user, "admin.manage"))


class AdminsOnly(HistoryAdmin):
    """Read-only, and only for the admin role: operational logs are not for the teams."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return is_admin(request)


@admin.register(JobSchedule)
class JobScheduleAdmin(AdminsOnly):
    list_display = (
        "name",
        "every_seconds",
        "next_run_at",
        "last_finished_at",
        "last_seconds",
        "runs",
        "last_error",
    )
    search_fields = ("name",)


@admin.register(JobRun)
class JobRunAdmin(AdminsOnly):
    list_display = ("job", "slot", "started_at", "seconds", "ok", "worker")
    list_filter = ("job",)
    search_fields = ("job", "error")
    date_hierarchy = "started_at"
    show_full_result_count = False

    @admin.display(boolean=True)
    def ok(self, run: JobRun) -> bool:
        return run.ok
