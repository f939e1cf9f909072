from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "revloop.lifecycle"
    label = "lifecycle"
    verbose_name = "Lifecycle"

    def ready(self) -> None:
        from revloop.lifecycle import receivers  # noqa: F401 - connects the signal receivers
