from django.contrib import admin
from django.http import HttpRequest

from revloop.lifecycle.models import StageTransition


@admin.register(StageTransition)
class StageTransitionAdmin(admin.ModelAdmin):
    """Read-only: the history is append-only and written by the stage machine."""

    list_display = ("person", "from_stage", "to_stage", "at", "by_user", "by_rule", "reason_code")
    list_filter = ("to_stage", "reason_code")
    raw_id_fields = ("person",)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
