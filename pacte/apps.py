from django.apps import AppConfig


class PacteConfig(AppConfig):
    name = "pacte"
    verbose_name = "Pacte : référentiels et engagements"
