from django.db import models


class Dispositif(models.TextChoices):
    INNOVATION = "INNOVATION", "Fonds de soutien à l'innovation"
    LOGEMENTS_ACCOMPAGNES = "LOGEMENTS_ACCOMPAGNES", "10 000 logements accompagnés"


class StatutCandidature(models.TextChoices):
    DEPOSEE = "DEPOSEE", "Déposée"
    A_COMPLETER = "A_COMPLETER", "À compléter"
    RECEVABLE = "RECEVABLE", "Recevable"
    IRRECEVABLE = "IRRECEVABLE", "Irrecevable"
    INSTRUITE = "INSTRUITE", "Instruite"
    RETENUE = "RETENUE", "Retenue"
    NON_RETENUE = "NON_RETENUE", "Non retenue"
    CONVENTIONNEE = "CONVENTIONNEE", "Conventionnée"
    EN_COURS = "EN_COURS", "En cours"
    SOLDEE = "SOLDEE", "Soldée"

    @classmethod
    def accordees(cls) -> list[str]:
        """Statuses of a granted application: its amount counts against the envelope."""
        return [cls.RETENUE, cls.CONVENTIONNEE, cls.EN_COURS, cls.SOLDEE]


class NatureDecision(models.TextChoices):
    IRRECEVABLE = "IRRECEVABLE", "Irrecevable"
    RETENUE = "RETENUE", "Retenue"
    NON_RETENUE = "NON_RETENUE", "Non retenue"


class NatureVersement(models.TextChoices):
    ENGAGEMENT = "ENGAGEMENT", "Engagement"
    ACOMPTE = "ACOMPTE", "Acompte"
    SOLDE = "SOLDE", "Solde"
