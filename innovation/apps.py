from django.apps import AppConfig


class InnovationConfig(AppConfig):
    name = "innovation"
    verbose_name = "Fonds de soutien à l'innovation"

    def ready(self):
        from innovation.services import ReglesInnovation
        from pacte.appels import roles  # noqa: F401 - registers the calls' permissions
        from pacte.appels.enums import Dispositif
        from pacte.appels.regles import enregistrer

        enregistrer(Dispositif.INNOVATION, ReglesInnovation())
