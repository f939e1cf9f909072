from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "revloop.webhooks"
    label = "webhooks"
    verbose_name = "Outgoing webhooks"
