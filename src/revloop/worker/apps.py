from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "revloop.worker"
    label = "worker"
    verbose_name = "Background worker"
