from django.apps import AppConfig


class SuiviConfig(AppConfig):
    name = "suivi"
    verbose_name = "Suivi du pacte"

    def ready(self):
        from suivi import roles  # noqa: F401 - registers the app's permissions per role
