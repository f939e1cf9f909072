from django.contrib import admin

from revloop.core.admin import HistoryAdmin
from revloop.scoring.models import ScoringRun


@admin.register(ScoringRun)
class ScoringRunAdmin(HistoryAdmin):
    list_display = ("started_at", "full", "trigger", "contract_version", "people", "seconds")
    list_filter = ("full", "trigger")
