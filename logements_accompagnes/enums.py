from django.db import models


class TypePorteur(models.TextChoices):
    """Applicants of Annexe 3."""

    BAILLEUR = "BAILLEUR", "Bailleur"
    INTER_BAILLEURS = "INTER_BAILLEURS", "Regroupement inter-bailleurs"
    BINOME = "BINOME", "Binôme bailleur / opérateur de l'accompagnement"
    COLLECTIVITE = "COLLECTIVITE", "Collectivité avec un réseau de bailleurs"


class NaturePartenaire(models.TextChoices):
    BAILLEUR = "BAILLEUR", "Bailleur"
    OPERATEUR = "OPERATEUR", "Opérateur de l'accompagnement"
    COLLECTIVITE = "COLLECTIVITE", "Collectivité territoriale"
    ASSOCIATION = "ASSOCIATION", "Association d'insertion"
    RESERVATAIRE = "RESERVATAIRE", "Réservataire"
    AUTRE = "AUTRE", "Autre"


class SourceFinancement(models.TextChoices):
    PLAI = "PLAI", "PLAI"
    PLAI_GLISSANT = "PLAI_GLISSANT", "PLAI glissant"
    ETAT = "ETAT", "État"
    DEPARTEMENT = "DEPARTEMENT", "Département"
    FSE = "FSE", "FSE (volet inclusion sociale)"
    FONDS_INNOVATION = "FONDS_INNOVATION", "Fonds d'innovation (CGLLS)"
    AUTRE = "AUTRE", "Autre"


# The file sections of Annexe 3, in the pact's order: (field, title).
SECTIONS_ANNEXE_3 = (
    ("besoins_offre", "Analyse des besoins et de l'offre sur le territoire"),
    ("diagnostic_accompagnement", "Diagnostic et accompagnement social (méthodes, « aller vers », étendue, durée)"),
    ("roles_engagements", "Rôle et engagements du bailleur et de l'opérateur de l'accompagnement"),
    ("adhesion_menages", "Adhésion des ménages"),
    ("mobilisation_accompagnement", "Mobilisation de l'offre d'accompagnement existante ou à créer"),
    ("offre_logement", "Offre de logement mobilisable (localisation, typologie, régime de réservation)"),
    ("methodologie_attributions", "Méthodologie d'analyse des situations et d'attribution"),
)

OBJECTIF_NATIONAL = 10_000
