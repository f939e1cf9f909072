from django.contrib import admin

from revloop.people.models import Account, Person


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
