"""The catalog in the admin: every version read-only; a new version pasted in and saved
through :func:`do_save_catalog`, so validation, permission and history are the same
as on the command line and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from revloop.activity.admin import ContentAssetAdmin
from revloop.activity.models import ContentAsset
from revloop.catalog.actions import do_save_catalog
from revloop.catalog.models import CatalogVersion, ContentFinding
from revloop.engine.truth import check_catalog
from revloop.users.policy import allows


class NewVersionForm(forms.ModelForm):
    class Meta:
        model = CatalogVersion
        fields = ("text", "note")
        widgets = {"text": forms.Textarea(attrs={"rows": 30, "cols": 100, "spellcheck": "false"})}

    def clean_text(self) -> str:
        text = str(self.cleaned_data["text"])
        _, errors = check_catalog(text, "catalog.yaml")
        if errors:
            raise ValidationError([str(error) for error in errors])
        return text


@admin.register(CatalogVersion)
class CatalogVersionAdmin(admin.ModelAdmin):
    list_display = ("number", "company", "status", "created_by", "created_at", "ended_at")
    list_filter = ("status",)
    shown = ("number", "company", "status", "note", "created_by", "created_at", "ended_at", "text")

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = NewVersionForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("text", "note") if obj is None else self.shown

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.shown

    def has_add_permission(self, request: HttpRequest) -> bool:
        return allows(request.user, "catalog.save")  # type: ignore[arg-type]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        version, _ = do_save_catalog(
            form.cleaned_data["text"],
            by=request.user,  # type: ignore[arg-type]
            note=form.cleaned_data.get("note", ""),
        )
        # The admin goes on to log and redirect to the object it was given.
        obj.__dict__.update({k: v for k, v in version.__dict__.items() if k != "_state"})
        obj._state.adding = False
        obj._state.db = version._state.db


class FindingInline(admin.TabularInline):
    """What the copy checker found in the asset's copy: written only by the check."""

    model = ContentFinding
    fk_name = "asset"
    fields = ("fact", "kind", "sentence", "truth", "rewrite")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "false claim in the copy"
    verbose_name_plural = "false claims in the copy (checked against the offer catalog on save)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CheckedContentAssetAdmin(ContentAssetAdmin):
    inlines = (FindingInline,)
    list_display = (*ContentAssetAdmin.list_display, "false_claims")

    @admin.display(description="False claims")
    def false_claims(self, obj: ContentAsset) -> str:
        facts = sorted({f.fact for f in obj.copy_findings.all()})
        return ", ".join(facts) or "-"

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("copy_findings")


admin.site.unregister(ContentAsset)
admin.site.register(ContentAsset, CheckedContentAssetAdmin)
