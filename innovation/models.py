from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from innovation.enums import Section, TypeAide
from pacte.models import Horodate
from pacte.models_appels import Candidature


def montant(nom: str, **options) -> models.DecimalField:
    return models.DecimalField(nom, max_digits=15, decimal_places=2, **options)


class EnveloppeInnovation(Horodate):
    """The fund's envelope for one year: 5 M€ the first year, then re-evaluated from the previous year's bilan."""

    annee = models.PositiveIntegerField("année", unique=True)
    montant = montant("montant", validators=[MinValueValidator(Decimal("0"))])
    motif = models.TextField("fondement", blank=True)

    class Meta:
        ordering = ["annee"]
        verbose_name = "enveloppe du fonds d'innovation"
        constraints = [models.CheckConstraint(condition=Q(montant__gte=0), name="enveloppe_innovation_positive")]

    def __str__(self):
        return f"Enveloppe {self.annee}"


class Theme(models.Model):
    """Themes are data, updated by the fund's governance (Annexe 4)."""

    libelle = models.CharField("libellé", max_length=200, unique=True)
    section = models.CharField(max_length=16, choices=Section.choices)
    actif = models.BooleanField(default=True)

    class Meta:
        ordering = ["section", "libelle"]
        verbose_name = "thème"

    def __str__(self):
        return self.libelle


class ProjetInnovation(models.Model):
    """What an innovation application adds to the shared file."""

    candidature = models.OneToOneField(Candidature, on_delete=models.CASCADE, related_name="projet_innovation")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="projets", verbose_name="thème")
    section = models.CharField(max_length=16, choices=Section.choices)
    type_aide = models.CharField("type d'aide", max_length=12, choices=TypeAide.choices)
    taux_pret = models.DecimalField("taux du prêt bonifié", max_digits=6, decimal_places=4, null=True, blank=True,
                                    validators=[MinValueValidator(0), MaxValueValidator(1)])
    duree_pret_mois = models.PositiveIntegerField("durée du prêt (mois)", null=True, blank=True)
    cout_total = montant("coût total du projet", validators=[MinValueValidator(Decimal("0.01"))])
    autres_financements_publics = montant("autres financements publics", default=0)
    date_debut = models.DateField("début du projet")
    duree_mois = models.PositiveIntegerField("durée du projet (mois)")
    convention_reference = models.CharField("référence de la convention", max_length=60, blank=True)
    convention_signee_le = models.DateField("convention signée le", null=True, blank=True)

    class Meta:
        verbose_name = "projet innovant"
        constraints = [
            models.CheckConstraint(condition=Q(cout_total__gt=0), name="projet_innovation_cout_positif"),
            models.CheckConstraint(condition=Q(autres_financements_publics__gte=0),
                                   name="projet_innovation_cofinancement_positif"),
            models.CheckConstraint(
                condition=Q(type_aide=TypeAide.SUBVENTION, taux_pret__isnull=True, duree_pret_mois__isnull=True)
                | Q(type_aide=TypeAide.PRET_BONIFIE, taux_pret__isnull=False, duree_pret_mois__gt=0),
                name="projet_innovation_conditions_du_pret",
            ),
            models.CheckConstraint(condition=Q(duree_mois__gt=0, duree_mois__lte=36),
                                   name="projet_innovation_trois_ans_au_plus"),
            models.CheckConstraint(condition=Q(autres_financements_publics__lte=F("cout_total")),
                                   name="projet_innovation_cofinancement_borne"),
        ]

    def __str__(self):
        return f"Projet innovant {self.candidature_id}"


class BilanActivite(Horodate):
    """The fund's yearly activity; its proposal feeds the next year's envelope."""

    annee = models.PositiveIntegerField("année", unique=True)
    enveloppe = montant("enveloppe de l'année")
    nb_candidatures = models.PositiveIntegerField("candidatures")
    nb_retenues = models.PositiveIntegerField("projets retenus")
    montant_accorde = montant("montant accordé")
    montant_verse = montant("montant versé")
    demande_en_attente = montant("demandes recevables non financées")
    enveloppe_proposee = montant("enveloppe proposée pour l'année suivante")
    etabli_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["annee"]
        verbose_name = "bilan d'activité du fonds"

    def __str__(self):
        return f"Bilan {self.annee}"
