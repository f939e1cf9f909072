from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "revloop.demo"
    label = "demo"
    verbose_name = "Demo company"
