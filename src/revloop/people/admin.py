from django.contrib import admin
from django.db.models import QuerySet

from revloop.core.admin import HistoryAdmin
from revloop.core.errors import RevloopError
from revloop.people.merge import do_merge_people
from revloop.people.models import Account, AnonymousIdentity, Person, PersonMerge
from revloop.users.requests import PageRequest


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "domain",
        "industry",
        "employee_count",
        "country",
        "region",
        "tier",
        "owner",
    )
    list_filter = ("tier", "region", "industry")
    search_fields = ("name", "domain")
    autocomplete_fields = ("owner",)
    show_full_result_count = False


@admin.action(description="Merge the selected people into the oldest of them")
def merge_selected(
    modeladmin: admin.ModelAdmin, request: PageRequest, queryset: QuerySet[Person]
) -> None:
    ids = list(queryset.order_by("created_at", "id").values_list("id", flat=True))
    if len(ids) < 2:
        modeladmin.message_user(request, "Select at least two people to merge.", level="warning")
        return
    try:
        summary = do_merge_people(ids[0], ids[1:], by=request.user)
    except RevloopError as exc:
        modeladmin.message_user(request, exc.message, level="error")
        return
    modeladmin.message_user(
        request, f"Merged {summary.people_removed} people into person {ids[0]}."
    )


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "first_name",
        "last_name",
        "account",
        "stage",
        "rule_score",
        "owner",
        "created_at",
    )
    list_filter = ("stage", "source", "consent")
    search_fields = ("email", "last_name")
    raw_id_fields = ("account",)
    autocomplete_fields = ("owner",)
    readonly_fields = (
        "stage",
        "stage_changed_at",
        "rule_score",
        "fit_score",
        "engagement_score",
        "predicted_probability",
    )
    show_full_result_count = False


@admin.register(AnonymousIdentity)
class AnonymousIdentityAdmin(admin.ModelAdmin):
    list_display = ("anonymous_id", "person", "linked_at")
    search_fields = ("anonymous_id", "person__email")
    raw_id_fields = ("person",)


@admin.register(PersonMerge)
class PersonMergeAdmin(HistoryAdmin):
    """Merges are history: visible, never edited."""

    list_display = ("merged_email", "survivor", "reason", "merged_by", "merged_at")
    list_filter = ("reason",)
    search_fields = ("merged_email", "survivor__email")
    raw_id_fields = ("survivor",)
