from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "revloop.core"
    label = "core"
    verbose_name = "Core"
