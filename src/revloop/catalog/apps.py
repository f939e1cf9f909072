from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "revloop.catalog"
    label = "catalog"
    verbose_name = "Offer catalog"

    def ready(self) -> None:
        from revloop.catalog import receivers  # noqa: F401 - connects them
