from django.apps import AppConfig


class MutualisationConfig(AppConfig):
    name = "mutualisation"
    verbose_name = "Mutualisation financière Hlm"

    def ready(self):
        from mutualisation import referentiels, roles  # noqa: F401 - registers permissions and the barème loader
