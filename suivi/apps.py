from django.apps import AppConfig


class SuiviConfig(AppConfig):
    name = "suivi"
    verbose_name = "Suivi du pacte"

    def ready(self):
        from suivi import imports, referentiels, roles  # noqa: F401 - registers import formats, livret A loader, permissions
        from suivi.rapport import travaux  # noqa: F401 - registers the annual report as work for the worker
