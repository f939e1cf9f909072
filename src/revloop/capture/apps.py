from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "revloop.capture"
    label = "capture"
    verbose_name = "Capture: events, forms and imports"
