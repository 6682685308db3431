from django.db import models


class Famille(models.TextChoices):
    OPH = "OPH", "Office public de l'habitat"
    ESH = "ESH", "Entreprise sociale pour l'habitat"
    COOP = "COOP", "Coopérative Hlm"
    SACICAP = "SACICAP", "SACICAP"
    SEM = "SEM", "Société d'économie mixte"
    AGREE_L365 = "AGREE_L365", "Organisme agréé (L.365-2 CCH)"
    ARHLM = "ARHLM", "Association régionale Hlm"
    COLLECTIVITE = "COLLECTIVITE", "Collectivité territoriale"
    ASSOCIATION = "ASSOCIATION", "Association"
    AUTRE = "AUTRE", "Autre"


FAMILLES_HLM = (Famille.OPH, Famille.ESH, Famille.COOP, Famille.SACICAP)


class Partie(models.TextChoices):
    ETAT = "ETAT", "État"
    MOUVEMENT_HLM = "MOUVEMENT_HLM", "Mouvement Hlm"
    CONJOINT = "CONJOINT", "État et mouvement Hlm"


class StatutEngagement(models.TextChoices):
    A_LANCER = "A_LANCER", "À engager"
    EN_COURS = "EN_COURS", "En cours"
    REALISE = "REALISE", "Réalisé"
    EN_RETARD = "EN_RETARD", "En retard"
    ABANDONNE = "ABANDONNE", "Abandonné"


class Role(models.TextChoices):
    EQUIPE_USH = "EQUIPE_USH", "Équipe USH"
    COMMISSION = "COMMISSION", "Commission de mutualisation"
    COMITE_SUIVI = "COMITE_SUIVI", "Comité de suivi"
    SECRETARIAT = "SECRETARIAT", "Secrétariat du comité"
    REFERENT_REGIONAL = "REFERENT_REGIONAL", "Référent régional"
    COMITE_ORIENTATION = "COMITE_ORIENTATION", "Comité d'orientation"
    ORGANISME = "ORGANISME", "Organisme (bailleur)"
    ADMINISTRATEUR = "ADMINISTRATEUR", "Administrateur"


class StatutTravail(models.TextChoices):
    EN_ATTENTE = "EN_ATTENTE", "En attente"
    EN_COURS = "EN_COURS", "En cours"
    TERMINE = "TERMINE", "Terminé"
    ECHEC = "ECHEC", "Échec"
