from django.apps import AppConfig


class MutualisationConfig(AppConfig):
    name = "mutualisation"
    verbose_name = "Mutualisation financière Hlm"

    def ready(self):
        from mutualisation import referentiels, roles, travaux  # noqa: F401 - registers permissions, loader, worker jobs
