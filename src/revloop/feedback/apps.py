from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "revloop.feedback"
    label = "feedback"
    verbose_name = "Sales follow-up and feedback"
