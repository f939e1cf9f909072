import json
from typing import cast

from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from revloop.core.admin import HistoryAdmin
from revloop.core.errors import RevloopError
from revloop.people.actions import do_erase_person, do_export_person, do_merge_people
from revloop.people.models import Account, AnonymousIdentity, Person, PersonMerge
from revloop.users.models import User
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


def _user(request: HttpRequest) -> User:
    # The admin site lets only signed-in staff in.
    return cast(PageRequest, request).user


@admin.action(description="Merge the selected people into the oldest of them")
def merge_selected(
    modeladmin: admin.ModelAdmin[Person], request: HttpRequest, queryset: QuerySet[Person]
) -> None:
    ids = list(queryset.order_by("created_at", "id").values_list("id", flat=True))
    if len(ids) < 2:
        modeladmin.message_user(request, "Select at least two people to merge.", level="warning")
        return
    try:
        summary = do_merge_people(ids[0], ids[1:], by=_user(request))
    except RevloopError as exc:
        modeladmin.message_user(request, exc.message, level="error")
        return
    modeladmin.message_user(
        request, f"Merged {summary.people_removed} people into person {ids[0]}."
    )


@admin.action(description="Export everything held on the selected people (JSON)")
def export_selected(
    modeladmin: admin.ModelAdmin[Person], request: HttpRequest, queryset: QuerySet[Person]
) -> HttpResponse | None:
    try:
        documents = [
            do_export_person(_user(request), pk) for pk in queryset.values_list("pk", flat=True)
        ]
    except RevloopError as exc:
        modeladmin.message_user(request, exc.message, level="error")
        return None
    response = HttpResponse(
        json.dumps(documents, cls=DjangoJSONEncoder, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="people-export.json"'
    return response


@admin.action(description="Erase the personal data of the selected people")
def erase_selected(
    modeladmin: admin.ModelAdmin[Person], request: HttpRequest, queryset: QuerySet[Person]
) -> None:
    try:
        erased = [
            do_erase_person(_user(request), pk) for pk in queryset.values_list("pk", flat=True)
        ]
    except RevloopError as exc:
        modeladmin.message_user(request, exc.message, level="error")
        return
    modeladmin.message_user(
        request,
        f"Erased the personal data of {len(erased)} people; their anonymous history is kept.",
    )


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    actions = [merge_selected, export_selected, erase_selected]
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

    def has_delete_permission(self, request: HttpRequest, obj: Person | None = None) -> bool:
        # A person's history is kept for the reports: erase their personal data instead.
        return False


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
