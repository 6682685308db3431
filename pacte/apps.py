from django.apps import AppConfig


class PacteConfig(AppConfig):
    name = "pacte"
    verbose_name = "Pacte : référentiels et engagements"

    def ready(self):
        from pacte import journal_securite  # noqa: F401 - connects the security journal's signals (docs/acces.md)
