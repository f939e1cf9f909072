from django.contrib import admin

from revloop.core.admin import HistoryAdmin
from revloop.feedback.models import HeardItem, Note, SalesActivity


@admin.register(SalesActivity)
class SalesActivityAdmin(HistoryAdmin):
    list_display = ("person", "kind", "outcome", "at", "user")
    list_filter = ("kind", "outcome")
    raw_id_fields = ("person",)
    show_full_result_count = False


@admin.register(HeardItem)
class HeardItemAdmin(HistoryAdmin):
    list_display = ("person", "kind", "topic", "text", "at", "user")
    list_filter = ("kind", "topic")
    search_fields = ("text", "topic")
    raw_id_fields = ("person", "opportunity")
    show_full_result_count = False


@admin.register(Note)
class NoteAdmin(HistoryAdmin):
    list_display = ("person", "text", "at", "user")
    raw_id_fields = ("person",)
    show_full_result_count = False
