from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "revloop.pipeline"
    label = "pipeline"
    verbose_name = "Pipeline"
