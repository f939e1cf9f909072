from django.contrib import admin
from django.http import HttpRequest

from revloop.capture.models import FormEndpoint, SiteKey


@admin.register(FormEndpoint)
class FormEndpointAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "channel", "campaign", "content", "is_active")
    list_filter = ("is_active", "channel")
    search_fields = ("slug", "name")
    raw_id_fields = ("campaign", "content")


@admin.register(SiteKey)
class SiteKeyAdmin(admin.ModelAdmin):
    list_display = ("key", "origins", "require_consent", "created_at", "revoked_at")

    # Keys are created, rotated and configured on Settings → Tracking, through the actions.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
