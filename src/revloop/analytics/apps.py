from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "revloop.analytics"
    label = "analytics"
    verbose_name = "Analytics"
