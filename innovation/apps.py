from django.apps import AppConfig


class InnovationConfig(AppConfig):
    name = "innovation"
    verbose_name = "Fonds de soutien à l'innovation"
