from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "revloop.pipeline"
    label = "pipeline"
    verbose_name = "Pipeline"

    def ready(self) -> None:
        from revloop.pipeline import receivers  # noqa: F401 - connects the signal receivers
