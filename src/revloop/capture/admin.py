from django.contrib import admin

from revloop.capture.models import FormEndpoint


@admin.register(FormEndpoint)
class FormEndpointAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "channel", "campaign", "content", "is_active")
    list_filter = ("is_active", "channel")
    search_fields = ("slug", "name")
    raw_id_fields = ("campaign", "content")
