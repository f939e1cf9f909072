from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "revloop.activity"
    label = "activity"
    verbose_name = "Touches, campaigns and content"
