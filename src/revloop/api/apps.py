from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "revloop.api"
    label = "api"
    verbose_name = "API"
