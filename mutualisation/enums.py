from django.db import models


class Produit(models.TextChoices):
    PLUS = "PLUS", "PLUS"
    PLUS_FONCIER = "PLUS_FONCIER", "PLUS foncier"
    PLAI = "PLAI", "PLAI"
    PLAI_FONCIER = "PLAI_FONCIER", "PLAI foncier"
    PLS = "PLS", "PLS"
    PSLA = "PSLA", "PSLA"
    PAM = "PAM", "PAM"
    ECO_PRET = "ECO_PRET", "Éco-prêt logement social"
    AUTRE = "AUTRE", "Autre"


class Zone(models.TextChoices):
    Z1 = "1", "1"
    Z1BIS = "1bis", "1 bis"
    Z2 = "2", "2"
    Z3 = "3", "3"


class PlanCglls(models.TextChoices):
    AUCUN = "AUCUN", "Aucun"
    RETABLISSEMENT = "RETABLISSEMENT", "Plan de rétablissement d'équilibre"
    CONSOLIDATION = "CONSOLIDATION", "Plan de consolidation"
    REPRISE_PATRIMOINE = "REPRISE_PATRIMOINE", "Plan d'accompagnement à la reprise de patrimoine"


class StatutCampagne(models.TextChoices):
    OUVERTE = "ouverte", "Ouverte"
    CALCULEE = "calculee", "Calculée"
    VALIDEE = "validee", "Validée"
    NOTIFIEE = "notifiee", "Notifiée"
    CLOSE = "close", "Close"


class StatutCalcul(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    EN_COURS = "en_cours", "En cours"
    TERMINE = "termine", "Terminé"
    ECHEC = "echec", "Échec"


class TypeImport(models.TextChoices):
    ORGANISMES = "organismes", "Organismes"
    BASES = "bases", "Bases annuelles"
    PRETS = "prets", "Prêts CDC"
    RESTRUCTURATIONS = "restructurations", "Restructurations"
    AGREMENTS = "agrements", "Agréments (SISAL / SPLS)"
    REHABILITATIONS = "rehabilitations", "Réhabilitations thermiques"
    OBJECTIFS = "objectifs", "Objectifs territorialisés"


class StatutImport(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    EN_COURS = "en_cours", "En cours"
    IMPORTE = "importe", "Importé"
    REFUSE = "refuse", "Refusé"


class Sens(models.TextChoices):
    VERSEMENT = "versement", "Versement"
    APPEL_DE_FONDS = "appel_de_fonds", "Appel de fonds"
    NUL = "nul", "Nul"
