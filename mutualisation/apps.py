from django.apps import AppConfig


class MutualisationConfig(AppConfig):
    name = "mutualisation"
    verbose_name = "Mutualisation financière Hlm"

    def ready(self):
        from mutualisation import referentiels, roles, travaux  # noqa: F401 - registers permissions, loader, worker jobs
        from mutualisation.documents import travaux as travaux_documents  # noqa: F401 - the notices' worker job
