from django.conf import settings
from django.db import models
from django.db.models import F, Q

from mutualisation import gel, operations, provenance, resumes
from mutualisation.enums import (
    PlanCglls,
    Produit,
    Sens,
    StatutCalcul,
    StatutCampagne,
    StatutImport,
    TypeImport,
    Zone,
)
from pacte.audit import suivre
from pacte.models import Horodate, Organisme

MONTANT = {"max_digits": 15, "decimal_places": 2}
TAUX = {"max_digits": 7, "decimal_places": 4}


@suivre()
class Bareme(Horodate):
    """The year's parameters (domain.md §3); frozen once the year's campaign is validated."""

    annee = models.PositiveSmallIntegerField("année", unique=True)
    montant_zone_1 = models.DecimalField("montant zone 1 / 1 bis (€ par logement)", **MONTANT)
    montant_zone_2_3 = models.DecimalField("montant zones 2 et 3 (€ par logement)", **MONTANT)
    taux_rehabilitation = models.DecimalField("taux de réhabilitation", **TAUX)
    montant_restructuration = models.DecimalField("montant restructuration (€ par logement)", **MONTANT)
    plafond_restructuration = models.PositiveIntegerField("plafond national de restructuration (logements)")
    poids_cotisation_cglls = models.DecimalField("poids de la cotisation CGLLS", **TAUX)
    poids_loyers = models.DecimalField("poids des loyers", **TAUX)
    poids_patrimoine = models.DecimalField("poids du patrimoine", **TAUX)
    frais_gestion = models.DecimalField("frais de gestion (€)", **MONTANT)
    taux_aide_exoneres = models.DecimalField("taux d'aide des organismes exonérés", **TAUX)

    class Meta:
        ordering = ["annee"]
        verbose_name = "barème"
        constraints = [
            models.CheckConstraint(
                condition=Q(poids_cotisation_cglls__gte=0, poids_loyers__gte=0, poids_patrimoine__gte=0)
                & Q(poids_cotisation_cglls__lte=1, poids_loyers__lte=1, poids_patrimoine__lte=1),
                name="bareme_poids_bornes",
            ),
            models.CheckConstraint(
                condition=Q(taux_aide_exoneres__gte=0, taux_aide_exoneres__lte=1, taux_rehabilitation__gte=0),
                name="bareme_taux_bornes",
            ),
            models.CheckConstraint(
                condition=Q(montant_zone_1__gte=0, montant_zone_2_3__gte=0, montant_restructuration__gte=0)
                & Q(frais_gestion__gte=0),
                name="bareme_montants_positifs",
            ),
        ]
        triggers = gel.gel_annuel("bareme", "c.annee = t.annee")

    def __str__(self):
        return f"Barème {self.annee}"


@suivre()
class Campagne(Horodate):
    annee = models.PositiveSmallIntegerField("année", unique=True)
    statut = models.CharField(max_length=10, choices=StatutCampagne.choices, default=StatutCampagne.OUVERTE)

    class Meta:
        ordering = ["annee"]
        permissions = [
            ("importer_donnees", "Peut importer les extraits CDC et les données des organismes"),
            ("modifier_bareme", "Peut modifier le barème d'une année ouverte"),
            ("lancer_calcul", "Peut lancer le calcul de la mutualisation"),
            ("ajuster", "Peut enregistrer un ajustement de la commission"),
            ("voir_resultats", "Peut voir les résultats nationaux de la mutualisation"),
            ("voir_avis", "Peut voir l'avis de mutualisation de son organisme"),
            ("approuver_calcul", "Peut approuver un calcul (membre de la commission, règle des quatre yeux)"),
            ("notifier_campagne", "Peut passer une campagne validée à notifiée"),
            ("clore_campagne", "Peut clore une campagne notifiée"),
            ("reouvrir_campagne", "Peut rouvrir une année validée, avec un motif écrit"),
            ("voir_audit", "Peut consulter la piste d'audit d'une campagne ou d'un organisme"),
            ("simuler", "Peut créer une variante du barème et lancer une simulation"),
            ("voir_simulations", "Peut consulter les simulations et leur comparaison au calcul de référence"),
        ]

    def __str__(self):
        return f"Campagne {self.annee}"


@suivre(operations=("modification", "suppression"))
class BaseAnnuelle(models.Model):
    """An organism's data for one year (bases file of formats.md)."""

    organisme = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="bases")
    annee = models.PositiveSmallIntegerField("année")
    patrimoine_locatif = models.PositiveIntegerField()
    loyers = models.DecimalField(**MONTANT)
    logements = models.PositiveIntegerField()
    cotisation_cglls = models.DecimalField("cotisation CGLLS", **MONTANT)
    plan_cglls = models.CharField(max_length=20, choices=PlanCglls.choices, default=PlanCglls.AUCUN)
    import_source = models.ForeignKey("ImportFichier", on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        ordering = ["annee", "organisme_id"]
        verbose_name = "base annuelle"
        constraints = [
            models.UniqueConstraint(fields=["organisme", "annee"], name="base_unique_par_annee"),
            models.CheckConstraint(condition=Q(loyers__gte=0, cotisation_cglls__gte=0), name="base_montants_positifs"),
        ]
        triggers = gel.gel_annuel("base", "c.annee = t.annee")

    def __str__(self):
        return f"Base {self.annee} de {self.organisme_id}"


@suivre(operations=("modification", "suppression"))
class Pret(models.Model):
    """A signed CDC Fonds d'épargne loan (prets extract)."""

    numero_pret = models.CharField("numéro de prêt", max_length=40, primary_key=True)
    numero_operation = models.CharField("numéro d'opération", max_length=40, blank=True)
    organisme = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="prets", db_column="siren")
    produit = models.CharField(max_length=12, choices=Produit.choices)
    date_signature = models.DateField("date de signature")
    montant = models.DecimalField(**MONTANT)
    nb_logements = models.PositiveIntegerField("logements")
    zone = models.CharField(max_length=4, choices=Zone.choices, blank=True)
    code_commune = models.CharField(max_length=5, blank=True)
    # no foreign key in the database: checked per statement by triggers (mutualisation.provenance)
    import_source = models.ForeignKey("ImportFichier", on_delete=models.PROTECT, null=True, blank=True,
                                      db_constraint=False)

    class Meta:
        ordering = ["numero_pret"]
        verbose_name = "prêt"
        indexes = [models.Index(fields=["date_signature"]), models.Index(fields=["numero_operation"])]
        constraints = [models.CheckConstraint(condition=Q(montant__gte=0), name="pret_montant_positif")]
        triggers = [*gel.gel_annuel("pret", "c.annee = extract(year FROM t.date_signature)::integer"),
                    *provenance.IMPORT_CONNU, *resumes.RESUMES_TENUS,
                    *operations.OPERATIONS_COHERENTES]

    def __str__(self):
        return f"Prêt {self.numero_pret}"


class ResumePrets(models.Model):
    """An organism's loans digest (count, XOR of the rows' hashes), kept by the loans' triggers (mutualisation.resumes);
    never written by the application."""

    siren = models.CharField(max_length=9, primary_key=True)
    nombre = models.BigIntegerField()
    empreinte = models.BigIntegerField()

    class Meta:
        verbose_name = "résumé des prêts d'un organisme"
        verbose_name_plural = "résumés des prêts des organismes"

    def __str__(self):
        return f"Résumé des prêts {self.siren}"


@suivre(operations=("modification", "suppression"))
class Restructuration(models.Model):
    organisme = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="restructurations")
    annee = models.PositiveSmallIntegerField("année")
    reference = models.CharField("référence", max_length=60)
    nb_logements = models.PositiveIntegerField("logements")
    zone_detendue = models.BooleanField("zone détendue")
    code_commune = models.CharField(max_length=5, blank=True)
    import_source = models.ForeignKey("ImportFichier", on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        ordering = ["annee", "organisme_id", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["organisme", "annee", "reference"], name="restructuration_unique"),
        ]
        triggers = gel.gel_annuel("restructuration", "c.annee = t.annee")

    def __str__(self):
        return f"Restructuration {self.reference} ({self.annee})"


@suivre()
class Ajustement(Horodate):
    """A special case ruled by the commission: a signed amount added to an organism's aid, always with a reason."""

    campagne = models.ForeignKey(Campagne, on_delete=models.PROTECT, related_name="ajustements")
    organisme = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="ajustements")
    montant = models.DecimalField(**MONTANT)
    motif = models.TextField()
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)

    class Meta:
        ordering = ["campagne", "organisme_id", "created_at"]
        constraints = [models.CheckConstraint(condition=~Q(motif=""), name="ajustement_motif_obligatoire")]
        triggers = gel.gel_annuel("ajustement", "c.id = t.campagne_id")

    def __str__(self):
        return f"Ajustement {self.montant} € pour {self.organisme_id}"


@suivre(fields=["type_fichier", "nom_fichier", "empreinte", "statut", "nb_lignes", "nb_ajoutees", "nb_remplacees",
                "nb_inchangees", "message", "cree_par"])
class ImportFichier(Horodate):
    """One imported file: who, when, name and hash, counts, status, and the error report."""

    type_fichier = models.CharField(max_length=20, choices=TypeImport.choices)
    nom_fichier = models.CharField(max_length=255)
    empreinte = models.CharField("empreinte SHA-256", max_length=64)
    chemin = models.CharField(max_length=500)
    taille = models.PositiveBigIntegerField(default=0)
    statut = models.CharField(max_length=12, choices=StatutImport.choices, default=StatutImport.EN_ATTENTE)
    nb_lignes = models.PositiveIntegerField(default=0)
    nb_ajoutees = models.PositiveIntegerField(default=0)
    nb_remplacees = models.PositiveIntegerField(default=0)
    nb_inchangees = models.PositiveIntegerField(default=0)
    erreurs = models.JSONField(default=list, blank=True)
    colonnes_ignorees = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    cree_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    travail = models.ForeignKey("pacte.Travail", on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "import de fichier"
        constraints = [
            models.UniqueConstraint(
                fields=["type_fichier", "empreinte"],
                condition=Q(statut="importe"),
                name="import_fichier_pas_de_doublon",
            ),
        ]
        triggers = [provenance.IMPORT_PROTEGE]

    def __str__(self):
        return f"{self.get_type_fichier_display()} — {self.nom_fichier}"


@suivre(fields=["campagne", "statut", "simulation", "valide", "empreinte_entrees", "lance_par"])
class Calcul(Horodate):
    """One run of a year's calculation; the row, locked by the task, is the source of truth."""

    campagne = models.ForeignKey(Campagne, on_delete=models.PROTECT, related_name="calculs")
    statut = models.CharField(max_length=10, choices=StatutCalcul.choices, default=StatutCalcul.EN_ATTENTE)
    simulation = models.BooleanField(default=False)
    empreinte_entrees = models.CharField(max_length=64, blank=True)
    bareme = models.JSONField("barème figé", default=dict)
    version_code = models.CharField(max_length=40, blank=True)
    totaux = models.JSONField(default=dict, blank=True)
    durees = models.JSONField("durées (s)", default=dict, blank=True)
    hors_champ = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    avancement = models.PositiveSmallIntegerField(default=0)
    debut = models.DateTimeField(null=True, blank=True)
    fin = models.DateTimeField(null=True, blank=True)
    lance_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    valide = models.BooleanField("calcul validé", default=False)
    variante = models.ForeignKey("BaremeVariante", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="calculs", verbose_name="variante du barème (simulation)")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "calcul"
        constraints = [
            models.UniqueConstraint(
                fields=["campagne"],
                condition=Q(statut__in=["en_attente", "en_cours"], simulation=False),
                name="un_calcul_en_cours_par_annee",
            ),
            models.UniqueConstraint(fields=["campagne"], condition=Q(valide=True), name="un_calcul_valide_par_annee"),
            models.CheckConstraint(condition=Q(valide=False) | Q(simulation=False, statut="termine"),
                                   name="calcul_valide_termine_hors_simulation"),
            models.CheckConstraint(condition=Q(variante__isnull=True) | Q(simulation=True),
                                   name="calcul_variante_seulement_en_simulation"),
        ]
        triggers = [gel.CALCUL_VALIDE_FIGE, provenance.CALCUL_PROTEGE]

    def __str__(self):
        return f"Calcul n° {self.pk} de {self.campagne}"


@suivre(operations=("modification", "suppression"), exclude=["explication"])
class ResultatOrganisme(models.Model):
    # no foreign key in the database: checked per statement by triggers (mutualisation.provenance)
    calcul = models.ForeignKey(Calcul, on_delete=models.CASCADE, related_name="resultats", db_constraint=False)
    organisme = models.ForeignKey(Organisme, on_delete=models.PROTECT, related_name="resultats")
    exonere = models.BooleanField("exonéré")
    aide_production = models.DecimalField(**MONTANT)
    aide_rehabilitation = models.DecimalField(**MONTANT)
    aide_restructuration = models.DecimalField(**MONTANT)
    ajustements = models.DecimalField(**MONTANT)
    aide_totale = models.DecimalField(**MONTANT)
    part_cotisation_cglls = models.DecimalField(**MONTANT)
    part_loyers = models.DecimalField(**MONTANT)
    part_patrimoine = models.DecimalField(**MONTANT)
    contribution = models.DecimalField(**MONTANT)
    solde = models.DecimalField(**MONTANT)
    sens = models.CharField(max_length=16, choices=Sens.choices)
    explication = models.JSONField(default=dict)

    class Meta:
        ordering = ["calcul", "organisme_id"]
        verbose_name = "résultat par organisme"
        constraints = [
            models.UniqueConstraint(fields=["calcul", "organisme"], name="resultat_unique"),
            models.CheckConstraint(
                condition=Q(aide_totale=F("aide_production") + F("aide_rehabilitation") + F("aide_restructuration")
                            + F("ajustements")),
                name="resultat_aide_totale",
            ),
            models.CheckConstraint(
                condition=Q(contribution=F("part_cotisation_cglls") + F("part_loyers") + F("part_patrimoine")),
                name="resultat_contribution",
            ),
            models.CheckConstraint(condition=Q(solde=F("aide_totale") - F("contribution")), name="resultat_solde"),
        ]
        triggers = [
            *gel.gel_annuel("resultat", "c.id = k.campagne_id",
                            jointures="JOIN mutualisation_calcul k ON k.id = t.calcul_id AND k.valide"),
            *provenance.CALCUL_CONNU,
        ]

    def __str__(self):
        return f"{self.organisme_id} : solde {self.solde} €"


# --- The campaign's life (docs/cycle-campagne.md): approvals, validations, reopenings — history, never erased ------


@suivre()
class ReouvertureCampagne(models.Model):
    """An administrator reopened a validated year: who, when, why, from which status and which run was validated."""

    campagne = models.ForeignKey(Campagne, on_delete=models.PROTECT, related_name="reouvertures")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    motif = models.TextField()
    statut_precedent = models.CharField(max_length=10, choices=StatutCampagne.choices)
    calcul = models.ForeignKey(Calcul, on_delete=models.PROTECT, null=True, related_name="reouvertures",
                               verbose_name="calcul qui était validé")
    created_at = models.DateTimeField("rouverte le", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "réouverture de campagne"
        constraints = [models.CheckConstraint(condition=~Q(motif=""), name="reouverture_motif_obligatoire")]
        triggers = [gel.historique_immuable("reouverture")]

    def __str__(self):
        return f"Réouverture de {self.campagne} le {self.created_at:%d/%m/%Y}"


@suivre()
class ApprobationCalcul(models.Model):
    """One commission member's approval of one run (four-eyes rule: two distinct members validate a run)."""

    calcul = models.ForeignKey(Calcul, on_delete=models.PROTECT, related_name="approbations")
    membre = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approbations")
    created_at = models.DateTimeField("approuvé le", auto_now_add=True)
    annulee_par_reouverture = models.ForeignKey(ReouvertureCampagne, on_delete=models.PROTECT, null=True,
                                                blank=True, related_name="approbations_annulees")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "approbation de calcul"
        constraints = [
            # Approving twice is impossible; after a reopening the superseded approvals stay, and a member may
            # approve the same run again.
            models.UniqueConstraint(fields=["calcul", "membre"], condition=Q(annulee_par_reouverture__isnull=True),
                                    name="une_approbation_par_membre_et_calcul"),
        ]
        triggers = [gel.APPROBATION_VALIDE,
                    gel.historique_immuable("approbation", sauf_annulation="annulee_par_reouverture_id")]

    def __str__(self):
        return f"Approbation du calcul n° {self.calcul_id} par {self.membre_id}"


@suivre()
class ValidationCalcul(models.Model):
    """A run became the year's validated one (second approval); a reopening later supersedes it."""

    campagne = models.ForeignKey(Campagne, on_delete=models.PROTECT, related_name="validations")
    calcul = models.ForeignKey(Calcul, on_delete=models.PROTECT, related_name="validations")
    created_at = models.DateTimeField("validé le", auto_now_add=True)
    reouverture = models.OneToOneField(ReouvertureCampagne, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="validation_levee")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "validation de calcul"
        constraints = [
            models.UniqueConstraint(fields=["campagne"], condition=Q(reouverture__isnull=True),
                                    name="une_validation_en_vigueur_par_annee"),
        ]
        triggers = [gel.historique_immuable("validation", sauf_annulation="reouverture_id")]

    def __str__(self):
        return f"Validation du calcul n° {self.calcul_id}"

    @property
    def reouverte_le(self):
        return self.reouverture.created_at if self.reouverture_id else None


# --- What-if simulation (docs/simulation.md): a variant of a year's barème, computed as a simulation run -------------


@suivre(operations=("creation", "suppression"))
class BaremeVariante(models.Model):
    """A commission member's copy of a year's barème with some values changed; never the year's barème itself.

    ``valeurs`` is the whole variant barème (``chargement.CHAMPS_BAREME``, as strings); ``modifications`` what
    differs from the year's barème at creation ({champ: [référence, variante]}). Not frozen with the year: a
    simulation stays possible on a validated year."""

    campagne = models.ForeignKey(Campagne, on_delete=models.PROTECT, related_name="variantes")
    nom = models.CharField(max_length=120)
    valeurs = models.JSONField("barème de la variante")
    modifications = models.JSONField(default=dict, blank=True)
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "variante du barème"
        verbose_name_plural = "variantes du barème"
        constraints = [models.CheckConstraint(condition=~Q(nom=""), name="variante_nom_obligatoire")]

    def __str__(self):
        return f"Variante « {self.nom} » ({self.campagne.annee})"
