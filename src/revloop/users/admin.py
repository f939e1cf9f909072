from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from revloop.users.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("revloop", {"fields": ("time_zone", "manager", "team")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "team", "time_zone")
    list_filter = ("groups", "is_active", "team")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "scope", "created_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
