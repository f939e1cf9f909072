from django.contrib import admin
from django.http import HttpRequest

from revloop.contracts.models import ContractApproval, ContractEvent, ContractVersion
from revloop.core.admin import HistoryAdmin


class ApprovalInline(admin.TabularInline):
    model = ContractApproval
    extra = 0
    can_delete = False
    fields = ("user", "roles", "at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: ContractVersion | None = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = ContractEvent
    extra = 0
    can_delete = False
    fields = ("kind", "at", "by_user", "note")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: ContractVersion | None = None) -> bool:
        return False


@admin.register(ContractVersion)
class ContractVersionAdmin(HistoryAdmin):
    """Versions are proposed and signed with `revloop contract`; here they are read."""

    list_display = ("number", "name", "status", "proposed_by", "proposed_at", "activated_at")
    list_filter = ("status",)
    readonly_fields = (
        "number",
        "name",
        "status",
        "note",
        "proposed_by",
        "proposed_at",
        "base",
        "activated_at",
        "ended_at",
        "digest",
        "diff_text",
        "text",
    )
    fields = readonly_fields
    inlines = (ApprovalInline, EventInline)


@admin.register(ContractApproval)
class ContractApprovalAdmin(HistoryAdmin):
    list_display = ("version", "user", "roles", "at")


@admin.register(ContractEvent)
class ContractEventAdmin(HistoryAdmin):
    list_display = ("version", "kind", "at", "by_user", "note")
    list_filter = ("kind",)
