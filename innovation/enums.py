from django.db import models


class Section(models.TextChoices):
    """The two sections of the Commission de réorganisation (Annexe 4)."""

    INNOVATION = "INNOVATION", "Innovation, recherche, modernisation et développement"
    REORGANISATION = "REORGANISATION", "Aides à la réorganisation et actions de l'ex-FILLS"


class TypeAide(models.TextChoices):
    SUBVENTION = "SUBVENTION", "Subvention"
    PRET_BONIFIE = "PRET_BONIFIE", "Prêt bonifié"
