from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "revloop.contracts"
    label = "contracts"
    verbose_name = "Lead contract"
