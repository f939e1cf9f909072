from django.apps import AppConfig


class PredictionsConfig(AppConfig):
    name = "revloop.predictions"
    verbose_name = "Predictive scoring"
    default_auto_field = "django.db.models.BigAutoField"
