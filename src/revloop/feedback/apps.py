from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "revloop.feedback"
    label = "feedback"
    verbose_name = "Sales follow-up and feedback"

    def ready(self) -> None:
        from revloop.feedback import receivers  # noqa: F401 - connects the signal receivers
