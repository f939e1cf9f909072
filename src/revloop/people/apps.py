from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "revloop.people"
    label = "people"
    verbose_name = "People and accounts"
