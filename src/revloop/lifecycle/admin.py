from django.contrib import admin

from revloop.core.admin import HistoryAdmin
from revloop.lifecycle.models import StageTransition


@admin.register(StageTransition)
class StageTransitionAdmin(HistoryAdmin):
    """Read-only: the history is append-only and written by the stage machine."""

    list_display = ("person", "from_stage", "to_stage", "at", "by_user", "by_rule", "reason_code")
    list_filter = ("to_stage", "reason_code")
    raw_id_fields = ("person",)
    show_full_result_count = False
