"""The shared engine of calls for projects (docs/appels-a-projets.md): one workflow for the innovation fund and the
« 10 000 logements accompagnés » call. Imported at the end of pacte/models.py so the models belong to the pacte app.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from pacte.appels.enums import Dispositif, NatureDecision, NatureVersement, StatutCandidature
from pacte.models import Horodate, Organisme

__all__ = [
    "AppelAProjets", "Candidature", "Commentaire", "Critere", "Decision", "HistoriqueStatut", "Note", "PieceJointe",
    "Versement",
]

def montant(nom: str, **options) -> models.DecimalField:
    return models.DecimalField(nom, max_digits=15, decimal_places=2, **options)


class AppelAProjets(Horodate):
    dispositif = models.CharField(max_length=24, choices=Dispositif.choices)
    annee = models.PositiveIntegerField("année")
    titre = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    reglement = models.TextField("règles de l'appel", blank=True)
    date_ouverture = models.DateField("ouverture")
    date_cloture = models.DateField("clôture")
    enveloppe = montant("enveloppe de l'appel", null=True, blank=True,
                        help_text="Vide : l'enveloppe est celle du dispositif (fonds d'innovation : l'année).")
    plafond_par_projet = montant("plafond par projet", null=True, blank=True)

    class Meta:
        ordering = ["-annee", "titre"]
        verbose_name = "appel à projets"
        verbose_name_plural = "appels à projets"
        constraints = [
            models.CheckConstraint(condition=Q(date_cloture__gte=F("date_ouverture")), name="appel_dates_ordonnees"),
            models.CheckConstraint(condition=Q(enveloppe__isnull=True) | Q(enveloppe__gte=0),
                                   name="appel_enveloppe_positive"),
            models.CheckConstraint(condition=Q(plafond_par_projet__isnull=True) | Q(plafond_par_projet__gt=0),
                                   name="appel_plafond_positif"),
            models.CheckConstraint(condition=Q(dispositif__in=Dispositif.values), name="appel_dispositif_valide"),
        ]
        permissions = [
            ("gerer_appels", "Peut gérer les appels à projets (appels, enveloppes, conventions, versements)"),
            ("deposer_candidature", "Peut déposer et compléter les candidatures de son organisme"),
            ("consulter_candidatures", "Peut consulter des candidatures (les siennes pour un organisme)"),
            ("voir_candidatures", "Peut voir toutes les candidatures et les exporter"),
            ("instruire_candidature", "Peut instruire une candidature (recevabilité, complétion, commentaires)"),
            ("noter_candidature", "Peut noter une candidature sur les critères de l'appel"),
            ("decider_candidature", "Peut décider d'une candidature (retenue / non retenue)"),
        ]

    def __str__(self):
        return self.titre


class Critere(models.Model):
    appel = models.ForeignKey(AppelAProjets, on_delete=models.CASCADE, related_name="criteres")
    libelle = models.CharField("libellé", max_length=200)
    ordre = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["appel", "ordre", "id"]
        verbose_name = "critère"
        constraints = [models.UniqueConstraint(fields=["appel", "libelle"], name="critere_unique_par_appel")]

    def __str__(self):
        return self.libelle


class Candidature(Horodate):
    appel = models.ForeignKey(AppelAProjets, on_delete=models.PROTECT, related_name="candidatures")
    organisme = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="candidatures")
    intitule = models.CharField("intitulé du projet", max_length=255)
    resume = models.TextField("résumé du projet")
    statut = models.CharField(max_length=16, choices=StatutCandidature.choices, default=StatutCandidature.DEPOSEE)
    montant_demande = montant("montant demandé", validators=[MinValueValidator(Decimal("0.01"))])
    montant_accorde = montant("montant accordé", null=True, blank=True)
    date_depot = models.DateField("date de dépôt")
    deposee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["appel", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(statut__in=StatutCandidature.values), name="candidature_statut_valide"),
            models.CheckConstraint(condition=Q(montant_demande__gt=0), name="candidature_montant_demande_positif"),
            models.CheckConstraint(
                condition=Q(montant_accorde__isnull=True) | Q(montant_accorde__gte=0),
                name="candidature_montant_accorde_positif",
            ),
            models.CheckConstraint(
                condition=~Q(statut__in=StatutCandidature.accordees()) | Q(montant_accorde__isnull=False),
                name="candidature_retenue_a_un_montant",
            ),
        ]
        indexes = [models.Index(fields=["appel", "statut"])]

    def __str__(self):
        return f"{self.numero} – {self.intitule}"

    @property
    def numero(self) -> str:
        return f"{self.appel.annee}-{self.pk:05d}"


class HistoriqueStatut(models.Model):
    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="historique")
    horodatage = models.DateTimeField(auto_now_add=True)
    de = models.CharField(max_length=16, choices=StatutCandidature.choices, blank=True)
    vers = models.CharField(max_length=16, choices=StatutCandidature.choices)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    motif = models.TextField(blank=True)

    class Meta:
        ordering = ["horodatage", "id"]
        verbose_name = "changement de statut"

    def __str__(self):
        return f"{self.candidature_id} : {self.de or '—'} → {self.vers}"


class PieceJointe(models.Model):
    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="pieces")
    horodatage = models.DateTimeField(auto_now_add=True)
    nom = models.CharField(max_length=255)
    type_mime = models.CharField(max_length=100)
    taille = models.PositiveIntegerField()
    empreinte = models.CharField(max_length=64)
    chemin = models.CharField(max_length=500)
    deposee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["horodatage", "id"]
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"

    def __str__(self):
        return self.nom


class Commentaire(models.Model):
    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="commentaires")
    horodatage = models.DateTimeField(auto_now_add=True)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    texte = models.TextField()
    interne = models.BooleanField("interne au comité", default=False)

    class Meta:
        ordering = ["horodatage", "id"]

    def __str__(self):
        return f"Commentaire de {self.auteur} le {self.horodatage:%d/%m/%Y}"


class Note(models.Model):
    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="notes")
    critere = models.ForeignKey(Critere, on_delete=models.CASCADE, related_name="notes")
    evaluateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    valeur = models.PositiveSmallIntegerField(validators=[MaxValueValidator(20)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["candidature", "critere", "evaluateur"]
        constraints = [
            models.UniqueConstraint(fields=["candidature", "critere", "evaluateur"], name="note_unique_par_evaluateur"),
            models.CheckConstraint(condition=Q(valeur__lte=20), name="note_sur_vingt"),
        ]

    def __str__(self):
        return f"{self.critere} : {self.valeur}/20"


class Decision(models.Model):
    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="decisions")
    horodatage = models.DateTimeField(auto_now_add=True)
    nature = models.CharField(max_length=16, choices=NatureDecision.choices)
    motif = models.TextField()
    montant = montant("montant accordé", null=True, blank=True)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["horodatage", "id"]
        verbose_name = "décision"
        constraints = [
            models.CheckConstraint(condition=~Q(motif=""), name="decision_motivee"),
            models.CheckConstraint(
                condition=Q(nature=NatureDecision.NON_RETENUE, montant__isnull=True)
                | Q(nature=NatureDecision.IRRECEVABLE, montant__isnull=True)
                | Q(nature=NatureDecision.RETENUE, montant__gt=0),
                name="decision_montant_coherent",
            ),
        ]

    def __str__(self):
        return f"{self.get_nature_display()} ({self.candidature_id})"


class Versement(models.Model):
    """Money of one grant: its commitment (the amount granted), then instalments, then the balance."""

    candidature = models.ForeignKey(Candidature, on_delete=models.PROTECT, related_name="versements")
    nature = models.CharField(max_length=12, choices=NatureVersement.choices)
    montant = montant("montant")
    date_versement = models.DateField("date")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["candidature", "date_versement", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(montant__gte=0), name="versement_montant_positif"),
            models.UniqueConstraint(fields=["candidature"], condition=Q(nature=NatureVersement.ENGAGEMENT),
                                    name="versement_un_engagement"),
            models.UniqueConstraint(fields=["candidature"], condition=Q(nature=NatureVersement.SOLDE),
                                    name="versement_un_solde"),
        ]

    def __str__(self):
        return f"{self.get_nature_display()} {self.montant} €"
