from django.contrib import admin

from revloop.core.admin import HistoryAdmin
from revloop.predictions.models import PredictiveModel


@admin.register(PredictiveModel)
class PredictiveModelAdmin(HistoryAdmin):
    list_display = ("trained_at", "trigger", "algorithm", "rows", "positives", "active")
    exclude = ("blob",)
