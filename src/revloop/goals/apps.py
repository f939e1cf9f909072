from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "revloop.goals"
    label = "goals"
    verbose_name = "Shared goals and planning"
