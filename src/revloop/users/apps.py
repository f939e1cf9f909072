from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "revloop.users"
    label = "users"
    verbose_name = "Users and roles"
