from django.contrib import admin

from revloop.activity.models import Campaign, CampaignMember, ContentAsset, Touch


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "channel", "started_on", "ended_on", "budget", "currency")
    list_filter = ("channel",)
    search_fields = ("name", "utm_campaign")


@admin.register(ContentAsset)
class ContentAssetAdmin(admin.ModelAdmin):
    list_display: tuple[str, ...] = ("title", "kind", "campaign", "published_on")
    list_filter = ("kind",)
    search_fields = ("title", "body")


@admin.register(Touch)
class TouchAdmin(admin.ModelAdmin):
    list_display = ("event_id", "type", "channel", "person", "occurred_at")
    list_filter = ("type", "channel")
    search_fields = ("event_id", "anonymous_id")
    raw_id_fields = ("person", "campaign", "content")
    show_full_result_count = False


@admin.register(CampaignMember)
class CampaignMemberAdmin(admin.ModelAdmin):
    list_display = ("campaign", "person", "group", "arm", "added_at", "source")
    list_filter = ("group", "source")
    raw_id_fields = ("campaign", "person")
