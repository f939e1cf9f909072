from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "revloop.web"
    label = "web"
    verbose_name = "Web"
