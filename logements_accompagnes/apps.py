from django.apps import AppConfig


class LogementsAccompagnesConfig(AppConfig):
    name = "logements_accompagnes"
    verbose_name = "10 000 logements accompagnés"
