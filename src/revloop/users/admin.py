from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse

from revloop.users.actions import record_roles_changed
from revloop.users.audit import audit_csv_rows
from revloop.users.models import ApiToken, AuditEntry, User
from revloop.users.policy import allows


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("revloop", {"fields": ("time_zone", "manager", "team")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "team", "time_zone")
    list_filter = ("groups", "is_active", "team")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The form writes the groups itself; what changed goes on the audit trail.
        user = form.instance
        before = user.roles if change else frozenset()
        super().save_related(request, form, formsets, change)
        actor = request.user if isinstance(request.user, User) else None
        record_roles_changed(actor, user, before, User.objects.get(pk=user.pk).roles)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "scope", "created_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")


@admin.action(description="Export the selected entries as CSV")
def export_csv(
    modeladmin: admin.ModelAdmin[AuditEntry], request: HttpRequest, queryset: QuerySet[AuditEntry]
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(audit_csv_rows(queryset), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Read-only: the trail is written by the actions and never edited."""

    list_display = ("at", "actor_name", "action", "object_type", "object_id")
    list_filter = ("action", "object_type", ("at", admin.DateFieldListFilter))
    search_fields = ("actor_name", "object_id", "action")
    date_hierarchy = "at"
    actions = [export_csv]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        user = request.user
        return isinstance(user, User) and user.is_staff and allows(user, "audit.read")


class GuardedAccessAttemptAdmin(AccessAttemptAdmin):
    """django-axes' lockouts, whose clean-up is platform administration."""

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        user = request.user
        if not (isinstance(user, User) and allows(user, "admin.manage")):
            actions.pop("cleanup_expired_attempts", None)
        return actions

    @admin.action(description="Clean up expired attempts")
    def cleanup_expired_attempts(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # axes reads the moment of a login attempt that its middleware sets only on
        # the login page; here the cool-off counts back from now.
        if not hasattr(request, "axes_attempt_time"):
            request.axes_attempt_time = None  # type: ignore[attr-defined]
        super().cleanup_expired_attempts(request, queryset)


# django-axes registers its own admin first (it comes before users in INSTALLED_APPS).
admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, GuardedAccessAttemptAdmin)
