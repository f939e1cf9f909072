from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from revloop.users.models import User
from revloop.webhooks.models import WebhookDelivery, WebhookEndpoint
from revloop.worker.admin import AdminsOnly, is_admin


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "events", "active", "description", "created_by", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "description")
    readonly_fields = ("created_by", "created_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return is_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return is_admin(request)

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: object, change: bool
    ) -> None:
        # The admin's own login guarantees a user; the check tells the type checker.
        if not change and isinstance(request.user, User):
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AdminsOnly):
    """The delivery log."""

    list_display = (
        "created_at",
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("status", "event")
    search_fields = ("id", "last_error")
    list_select_related = ("endpoint",)
    date_hierarchy = "created_at"
    show_full_result_count = False
