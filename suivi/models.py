from django.conf import settings
from django.db import models
from django.db.models import Q

from pacte.enums import StatutEngagement, StatutTravail
from pacte.models import Departement, Engagement, Horodate, Organisme, Region
from suivi.enums import Etiquette, Nature, Niveau, ProduitAgrement, StatutBlocage, StatutDiagnostic, ThemeBlocage

SIREN = {"max_length": 9}


class Agrement(models.Model):
    """A financing decision for new social rental dwellings (SISAL / SPLS extract)."""

    annee = models.PositiveSmallIntegerField("année")
    numero_operation = models.CharField("numéro d'opération", max_length=50)
    produit = models.CharField(max_length=4, choices=ProduitAgrement.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="agrements")
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="agrements")
    code_commune = models.CharField(max_length=5, blank=True)
    siren = models.CharField("SIREN du maître d'ouvrage", **SIREN)
    organisme = models.ForeignKey(Organisme, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="agrements", help_text="renseigné quand le SIREN est connu")
    nb_logements = models.PositiveIntegerField("logements")
    nature = models.CharField(max_length=26, choices=Nature.choices)
    anru = models.BooleanField("opération ANRU")
    import_source = models.ForeignKey("mutualisation.ImportFichier", on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        ordering = ["annee", "numero_operation", "produit"]
        verbose_name = "agrément"
        indexes = [models.Index(fields=["annee", "region"]), models.Index(fields=["annee", "departement"])]
        constraints = [models.UniqueConstraint(fields=["numero_operation", "produit"], name="agrement_unique")]

    def __str__(self):
        return f"{self.numero_operation} {self.produit} ({self.annee})"


class Rehabilitation(models.Model):
    """A thermal renovation financed (SISAL / CDC extract)."""

    annee = models.PositiveSmallIntegerField("année")
    numero_operation = models.CharField("numéro d'opération", max_length=50, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="rehabilitations")
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="rehabilitations")
    code_commune = models.CharField(max_length=5, blank=True)
    siren = models.CharField("SIREN", **SIREN)
    organisme = models.ForeignKey(Organisme, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="rehabilitations")
    nb_logements = models.PositiveIntegerField("logements")
    etiquette_avant = models.CharField("étiquette avant travaux", max_length=1, choices=Etiquette.choices)
    etiquette_apres = models.CharField("étiquette après travaux", max_length=1, choices=Etiquette.choices)
    eco_pret = models.BooleanField("financée par un éco-prêt")
    import_source = models.ForeignKey("mutualisation.ImportFichier", on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        ordering = ["annee", "numero_operation"]
        verbose_name = "réhabilitation"
        indexes = [models.Index(fields=["annee", "region"]), models.Index(fields=["annee", "departement"])]

    def __str__(self):
        return f"{self.numero_operation} ({self.annee})"


class Objectif(models.Model):
    """Territorialised targets: one line per year and region, and a national line (region empty, code FR)."""

    annee = models.PositiveSmallIntegerField("année")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="objectifs")
    objectif_production = models.PositiveIntegerField("objectif de production (part Hlm)")
    objectif_rehabilitation = models.PositiveIntegerField("objectif de réhabilitation (part Hlm)")
    import_source = models.ForeignKey("mutualisation.ImportFichier", on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        ordering = ["annee", "region_id"]
        constraints = [
            # NULLS NOT DISTINCT: one national line (no region) a year too, and one key for INSERT … ON CONFLICT.
            models.UniqueConstraint(fields=["annee", "region"], name="objectif_unique_par_region",
                                    nulls_distinct=False),
        ]

    def __str__(self):
        return f"Objectif {self.annee} {self.region_id or 'FR'}"


class MiseAJourEngagement(Horodate):
    """A dated update of a commitment, with its evidence."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="mises_a_jour")
    date = models.DateField()
    statut = models.CharField(max_length=12, choices=StatutEngagement.choices)
    commentaire = models.TextField()
    preuve = models.CharField("justificatif (référence ou lien)", max_length=500, blank=True)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "mise à jour d'engagement"

    def __str__(self):
        return f"{self.engagement.code} au {self.date:%d/%m/%Y}"


class TauxLivretA(models.Model):
    date_effet = models.DateField("en vigueur à partir du", unique=True)
    taux = models.DecimalField(max_digits=5, decimal_places=4, help_text="en fraction : 0.0175 pour 1,75 %")

    class Meta:
        ordering = ["date_effet"]
        verbose_name = "taux du livret A"

    def __str__(self):
        return f"Livret A {self.taux} au {self.date_effet:%d/%m/%Y}"


class Reunion(Horodate):
    """A meeting of the follow-up committee (national, or regional under the préfet)."""

    date = models.DateField()
    niveau = models.CharField(max_length=8, choices=Niveau.choices, default=Niveau.NATIONAL)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True)
    institutions = models.TextField("institutions représentées", help_text="une par ligne")
    ordre_du_jour = models.TextField("ordre du jour")
    compte_rendu = models.TextField("compte rendu", blank=True)
    decisions = models.TextField("décisions", blank=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = "réunion du comité"
        constraints = [
            models.CheckConstraint(condition=Q(niveau="NATIONAL", region__isnull=True)
                                   | Q(niveau="REGIONAL", region__isnull=False), name="reunion_niveau_region"),
        ]

    def __str__(self):
        return f"Comité {self.get_niveau_display().lower()} du {self.date:%d/%m/%Y}"


class PointDeBlocage(Horodate):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="blocages",
                               help_text="vide pour un point national")
    theme = models.CharField("thème", max_length=20, choices=ThemeBlocage.choices)
    titre = models.CharField(max_length=200)
    description = models.TextField()
    solution_proposee = models.TextField("solution proposée", blank=True)
    responsable = models.CharField("porteur", max_length=200, blank=True)
    statut = models.CharField(max_length=14, choices=StatutBlocage.choices, default=StatutBlocage.OUVERT)
    reunion = models.ForeignKey(Reunion, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["statut", "-updated_at"]
        verbose_name = "point de blocage"
        verbose_name_plural = "points de blocage"

    def __str__(self):
        return self.titre


class BonnePratique(Horodate):
    titre = models.CharField(max_length=200)
    description = models.TextField()
    theme = models.CharField("thème", max_length=20, choices=ThemeBlocage.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True)
    organisme = models.ForeignKey(Organisme, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "bonne pratique"

    def __str__(self):
        return self.titre


class DiagnosticRegional(Horodate):
    """The shared regional diagnostic of Annexe 5, one per region and year."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="diagnostics")
    annee = models.PositiveSmallIntegerField("année")
    coherence_politiques = models.TextField("cohérence des politiques d'urbanisme et d'habitat avec les objectifs",
                                            blank=True)
    disponibilite_fonciere = models.TextField("disponibilité foncière (dont foncier de l'État)", blank=True)
    montage_financier = models.TextField("montage financier des opérations", blank=True)
    capacite_btp = models.TextField("capacité de la filière du bâtiment", blank=True)
    impact_sru = models.TextField("impact de l'article 55 de la loi SRU", blank=True)
    besoins_typologie = models.TextField("besoins en typologie (vieillissement, desserrement, demandeurs modestes)",
                                         blank=True)
    statut = models.CharField(max_length=10, choices=StatutDiagnostic.choices, default=StatutDiagnostic.BROUILLON)

    class Meta:
        ordering = ["annee", "region_id"]
        verbose_name = "diagnostic régional partagé"
        constraints = [models.UniqueConstraint(fields=["region", "annee"], name="diagnostic_unique")]
        permissions = [
            ("modifier_diagnostic", "Peut modifier le diagnostic de sa région"),
            ("gerer_comite", "Peut enregistrer réunions, décisions, points de blocage et bonnes pratiques"),
            ("voir_tableaux_de_bord", "Peut consulter les tableaux de bord du suivi"),
            ("produire_rapport", "Peut produire le rapport annuel du comité de suivi"),
        ]

    def __str__(self):
        return f"Diagnostic {self.region} {self.annee}"


class HistoriqueBlocage(models.Model):
    """One recorded change of a blocking point: who, when, the status after it, and each field's before → after."""

    point = models.ForeignKey(PointDeBlocage, on_delete=models.CASCADE, related_name="historique")
    horodatage = models.DateTimeField(auto_now_add=True)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    statut = models.CharField(max_length=14, choices=StatutBlocage.choices)
    changements = models.JSONField(default=dict, blank=True, help_text="{champ: [avant, après]}")
    commentaire = models.TextField(blank=True)

    class Meta:
        ordering = ["-horodatage", "-id"]
        verbose_name = "historique d'un point de blocage"

    def __str__(self):
        return f"{self.point} au {self.horodatage:%d/%m/%Y}"


class RapportAnnuel(Horodate):
    """One production of the committee's annual report: the dated data snapshot it was drawn from, and its PDF."""

    annee = models.PositiveSmallIntegerField("année")
    statut = models.CharField(max_length=12, choices=StatutTravail.choices, default=StatutTravail.EN_ATTENTE)
    date_donnees = models.DateTimeField("données arrêtées le", null=True, blank=True)
    donnees = models.JSONField("instantané des données", default=dict, blank=True)
    fichier = models.FileField("PDF", upload_to="rapports/", blank=True)
    empreinte = models.CharField("SHA-256 du PDF", max_length=64, blank=True)
    message = models.TextField(blank=True)
    travail = models.ForeignKey("pacte.Travail", on_delete=models.SET_NULL, null=True, blank=True)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "rapport annuel du comité de suivi"
        verbose_name_plural = "rapports annuels du comité de suivi"

    def __str__(self):
        return f"Rapport annuel {self.annee} n° {self.pk}"
