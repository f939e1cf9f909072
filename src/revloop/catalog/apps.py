from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "revloop.catalog"
    label = "catalog"
    verbose_name = "Offer catalog"
