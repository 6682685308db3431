from django.db import models
from django.db.models import Q

from logements_accompagnes.enums import NaturePartenaire, SourceFinancement, TypePorteur
from pacte.models import Region
from pacte.models_appels import Candidature


class ProjetAccompagne(models.Model):
    """What an application to « 10 000 logements accompagnés » adds to the shared file: the sections of Annexe 3."""

    candidature = models.OneToOneField(Candidature, on_delete=models.CASCADE, related_name="projet_accompagne")
    type_porteur = models.CharField("type de porteur", max_length=16, choices=TypePorteur.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="projets_accompagnes",
                               verbose_name="région")
    besoins_offre = models.TextField("analyse des besoins et de l'offre")
    diagnostic_accompagnement = models.TextField("diagnostic et accompagnement social")
    roles_engagements = models.TextField("rôles et engagements")
    adhesion_menages = models.TextField("adhésion des ménages")
    mobilisation_accompagnement = models.TextField("mobilisation de l'accompagnement")
    offre_logement = models.TextField("offre de logement")
    methodologie_attributions = models.TextField("méthodologie d'attribution")
    logements_prevus = models.PositiveIntegerField("logements prévus")
    menages_prevus = models.PositiveIntegerField("ménages à accompagner")

    class Meta:
        verbose_name = "projet de logements accompagnés"
        constraints = [models.CheckConstraint(condition=Q(logements_prevus__gt=0), name="projet_la_logements_prevus")]

    def __str__(self):
        return f"Projet {self.candidature_id}"


class Partenaire(models.Model):
    projet = models.ForeignKey(ProjetAccompagne, on_delete=models.CASCADE, related_name="partenaires")
    nom = models.CharField(max_length=200)
    nature = models.CharField(max_length=16, choices=NaturePartenaire.choices)
    role = models.CharField("rôle", max_length=255, blank=True)

    class Meta:
        ordering = ["projet", "nature", "nom"]

    def __str__(self):
        return self.nom


class LigneFinancement(models.Model):
    projet = models.ForeignKey(ProjetAccompagne, on_delete=models.CASCADE, related_name="financements")
    source = models.CharField(max_length=16, choices=SourceFinancement.choices)
    montant = models.DecimalField(max_digits=15, decimal_places=2)

    class Meta:
        ordering = ["projet", "source"]
        verbose_name = "ligne du plan de financement"
        constraints = [
            models.UniqueConstraint(fields=["projet", "source"], name="financement_une_ligne_par_source"),
            models.CheckConstraint(condition=Q(montant__gt=0), name="financement_montant_positif"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} : {self.montant} €"


class SuiviAnnuel(models.Model):
    """Homes mobilised and households supported by a retained project during one year (flows, not stocks)."""

    projet = models.ForeignKey(ProjetAccompagne, on_delete=models.CASCADE, related_name="suivis")
    annee = models.PositiveIntegerField("année")
    logements_mobilises = models.PositiveIntegerField("logements mobilisés")
    menages_accompagnes = models.PositiveIntegerField("ménages accompagnés")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["projet", "annee"]
        verbose_name = "suivi annuel"
        constraints = [models.UniqueConstraint(fields=["projet", "annee"], name="suivi_un_par_projet_et_annee")]

    def __str__(self):
        return f"Suivi {self.annee} du projet {self.projet_id}"
