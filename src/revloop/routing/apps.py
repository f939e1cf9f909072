from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "revloop.routing"
    label = "routing"
    verbose_name = "Routing and SLAs"

    def ready(self) -> None:
        from revloop.routing import receivers  # noqa: F401 - connects the signal receivers
