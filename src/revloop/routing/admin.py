from django.contrib import admin

from revloop.core.admin import HistoryAdmin
from revloop.routing.models import Assignment, MarketingSlaWeek, RepAbsence, SlaBreach, SlaClock


@admin.register(RepAbsence)
class RepAbsenceAdmin(admin.ModelAdmin):
    list_display = ("user", "starts", "ends", "note", "created_by")
    list_filter = ("user",)
    raw_id_fields = ("user", "created_by")


@admin.register(Assignment)
class AssignmentAdmin(HistoryAdmin):
    """Read-only: assignments are written by routing and closed by re-assignment."""

    list_display = ("person", "rep", "at", "rule_id", "team", "ended_at", "ended_reason")
    list_filter = ("rule_id", "team", "ended_reason")
    raw_id_fields = ("person",)
    show_full_result_count = False


@admin.register(SlaClock)
class SlaClockAdmin(HistoryAdmin):
    """Read-only: clocks are started by routing and stopped by the reps' work."""

    list_display = (
        "person",
        "rep",
        "kind",
        "started_at",
        "due_at",
        "stopped_at",
        "stop_reason",
        "reminded_at",
        "breached_at",
    )
    list_filter = ("kind", "stop_reason")
    raw_id_fields = ("person", "assignment")
    show_full_result_count = False


@admin.register(SlaBreach)
class SlaBreachAdmin(HistoryAdmin):
    list_display = ("person", "rep", "kind", "due_at", "detected_at", "escalated_to")
    list_filter = ("kind",)
    raw_id_fields = ("person", "clock")
    show_full_result_count = False


@admin.register(MarketingSlaWeek)
class MarketingSlaWeekAdmin(HistoryAdmin):
    list_display = (
        "week_start",
        "mqls",
        "mql_target",
        "accepted",
        "rejected",
        "acceptance_rate",
        "min_acceptance_rate",
        "volume_met",
        "acceptance_met",
    )
