from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "revloop.pipeline"
    label = "pipeline"
    verbose_name = "Pipeline"

    def ready(self) -> None:
        # Connects the signal receivers and registers the opportunity import.
        from revloop.pipeline import importer, receivers  # noqa: F401
