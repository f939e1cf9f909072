from django.contrib import admin
from django.http import HttpRequest

from revloop.pipeline.models import Opportunity, OpportunityChange, OpportunityContact


class OpportunityContactInline(admin.TabularInline):
    model = OpportunityContact
    raw_id_fields = ("person",)
    extra = 0


class OpportunityChangeInline(admin.TabularInline):
    model = OpportunityChange
    extra = 0
    can_delete = False
    readonly_fields = ("at", "field", "old_value", "new_value", "by_user")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "amount", "currency", "stage", "close_date", "owner")
    list_filter = ("stage", "source")
    search_fields = ("name",)
    raw_id_fields = ("account", "primary_contact")
    inlines = [OpportunityContactInline, OpportunityChangeInline]
    show_full_result_count = False
