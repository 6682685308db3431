from django.db import models


class ProduitAgrement(models.TextChoices):
    PLUS = "PLUS", "PLUS"
    PLAI = "PLAI", "PLAI"
    PLS = "PLS", "PLS"


class Nature(models.TextChoices):
    NEUF = "NEUF", "Construction neuve"
    VEFA = "VEFA", "VEFA"
    ACQUISITION = "ACQUISITION", "Acquisition"
    ACQUISITION_AMELIORATION = "ACQUISITION_AMELIORATION", "Acquisition-amélioration"


class Etiquette(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    E = "E", "E"
    F = "F", "F"
    G = "G", "G"


class Niveau(models.TextChoices):
    NATIONAL = "NATIONAL", "National"
    REGIONAL = "REGIONAL", "Régional"


class ThemeBlocage(models.TextChoices):
    FONCIER = "FONCIER", "Foncier"
    URBANISME = "URBANISME", "Urbanisme"
    REGLEMENTATION = "REGLEMENTATION", "Réglementation"
    FINANCEMENT = "FINANCEMENT", "Financement"
    FILIERE_BTP = "FILIERE_BTP", "Filière BTP"
    SUBSTITUTION_SRU = "SUBSTITUTION_SRU", "Substitution dans les communes carencées (article 55 SRU)"
    AUTRE = "AUTRE", "Autre"


class StatutBlocage(models.TextChoices):
    OUVERT = "OUVERT", "Ouvert"
    EN_TRAITEMENT = "EN_TRAITEMENT", "En traitement"
    LEVE = "LEVE", "Levé"
    ABANDONNE = "ABANDONNE", "Abandonné"


class StatutDiagnostic(models.TextChoices):
    BROUILLON = "BROUILLON", "Brouillon"
    PARTAGE = "PARTAGE", "Partagé"
