from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "revloop.activity"
    label = "activity"
    verbose_name = "Touches, campaigns and content"

    def ready(self) -> None:
        from revloop.activity import receivers  # noqa: F401 - connects the signal receivers
