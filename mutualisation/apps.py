from django.apps import AppConfig


class MutualisationConfig(AppConfig):
    name = "mutualisation"
    verbose_name = "Mutualisation financière Hlm"
