from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "revloop.scoring"
    label = "scoring"
    verbose_name = "Scoring"
