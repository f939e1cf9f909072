from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "revloop.scoring"
    label = "scoring"
    verbose_name = "Scoring"

    def ready(self) -> None:
        from revloop.scoring import receivers  # noqa: F401 - connects the signal receivers
