from django.apps import AppConfig


class LogementsAccompagnesConfig(AppConfig):
    name = "logements_accompagnes"
    verbose_name = "10 000 logements accompagnés"

    def ready(self):
        from logements_accompagnes.services import ReglesLogementsAccompagnes
        from pacte.appels import roles  # noqa: F401 - registers the calls' permissions
        from pacte.appels.enums import Dispositif
        from pacte.appels.regles import enregistrer

        enregistrer(Dispositif.LOGEMENTS_ACCOMPAGNES, ReglesLogementsAccompagnes())
