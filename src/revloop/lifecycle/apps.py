from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "revloop.lifecycle"
    label = "lifecycle"
    verbose_name = "Lifecycle"
