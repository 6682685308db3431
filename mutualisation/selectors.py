"""Reads of the mutualisation shared by pages, API, exports and the command line (scope applied here)."""

import functools
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from mutualisation.enums import Sens, StatutCalcul, StatutCampagne, StatutImport
from mutualisation.models import Ajustement, Bareme, Calcul, Campagne, ImportFichier, ResultatOrganisme
from pacte.enums import Role, StatutTravail


def campagnes_liste() -> QuerySet[Campagne]:
    return Campagne.objects.order_by("annee")


def _calculs_termines(annee: int, *, simulation: bool = False) -> QuerySet[Calcul]:
    """The year's finished runs, latest first: the first is the year's latest run (dernier_calcul)."""
    return Calcul.objects.filter(campagne__annee=annee, statut=StatutCalcul.TERMINE, simulation=simulation).order_by(
        "-fin", "-pk")


def dernier_calcul(annee: int, *, simulation: bool = False) -> Calcul | None:
    return _calculs_termines(annee, simulation=simulation).select_related("campagne").first()


@dataclass(frozen=True)
class VersionCalcul:
    """What names a run in a cache key (cle_de_cache_des_resultats): its id and the time its row last changed."""

    pk: int
    updated_at: datetime


@functools.cache
def _sql_version_du_dernier_calcul(annee: int) -> tuple[str, tuple]:
    # dernier_calcul's query, compiled by the ORM once per year: on a cached page, compiling it each time cost more
    # CPU than the database took to answer it (docs/performances.md, « le coût par requête (suite) »).
    return _calculs_termines(annee).values_list("pk", "updated_at")[:1].query.sql_with_params()


def version_du_dernier_calcul(annee: int) -> VersionCalcul | None:
    """The id and ``updated_at`` of the run dernier_calcul returns, and nothing else: a cached results table (page,
    API) needs no more to be found, where the whole row carries the run's JSON (barème, totals, out-of-scope list)."""
    sql, parametres = _sql_version_du_dernier_calcul(annee)
    with connection.cursor() as curseur:
        curseur.execute(sql, parametres)
        ligne = curseur.fetchone()
    return VersionCalcul(*ligne) if ligne else None


def calcul_de_la_version(version: VersionCalcul | None) -> Calcul | None:
    """The whole row of a run named by its version (None when there is none, or when it is gone since)."""
    return version and Calcul.objects.select_related("campagne").filter(pk=version.pk).first()


def calculs_de_l_annee(annee: int) -> QuerySet[Calcul]:
    return Calcul.objects.filter(campagne__annee=annee).select_related("campagne", "lance_par").order_by("-pk")


def bareme_de_l_annee(annee: int) -> Bareme | None:
    return Bareme.objects.filter(annee=annee).first()


def ajustements_de_l_annee(annee: int) -> QuerySet[Ajustement]:
    return Ajustement.objects.filter(campagne__annee=annee).select_related("organisme", "auteur")


def imports_recents(limite: int = 20) -> QuerySet[ImportFichier]:
    return ImportFichier.objects.select_related("cree_par")[:limite]


def resultats_visibles(user, calcul: Calcul) -> QuerySet[ResultatOrganisme]:
    """National results for the roles that may read them; an organism user sees only its own line."""
    resultats = calcul.resultats.select_related("organisme", "organisme__region")
    if not user.is_authenticated:
        return resultats.none()
    if user.role == Role.ORGANISME:
        return resultats.filter(organisme_id=user.organisme_id)
    if user.has_perm("mutualisation.voir_resultats"):
        return resultats
    return resultats.none()


DUREE_CACHE_RESULTATS = 600  # seconds: the longest an edit of the referentials (an organism's name) takes to show


def cle_de_cache_des_resultats(user, calcul: Calcul | VersionCalcul | None, requete: str) -> str:
    """The cache key of one rendering of the results table (page or API) for this reader and request.

    It names the run (a new run, or any change to its row, is a new key: results are written once per run), what
    resultats_visibles lets the user read (one organism's line, every line, none) and the request (address with its
    filters, sort and page). Only a referential edit (an organism renamed) waits for DUREE_CACHE_RESULTATS.
    """
    if user.role == Role.ORGANISME:
        portee = f"organisme-{user.organisme_id}"
    else:
        portee = "toutes" if user.has_perm("mutualisation.voir_resultats") else "aucune"
    version = f"{calcul.pk}|{calcul.updated_at.isoformat()}" if calcul else "aucun"
    return "mutualisation:resultats:" + hashlib.sha256(f"{version}|{portee}|{requete}".encode()).hexdigest()


def resultats_filtrer(user, calcul: Calcul, *, region="", famille="", sens="", recherche="", tri="organisme_id"):
    """The results table (page and API): the line-by-line explanation, large JSON, is left in the database."""
    resultats = resultats_visibles(user, calcul).defer("explication")
    if region:
        resultats = resultats.filter(organisme__region_id=region)
    if famille:
        resultats = resultats.filter(organisme__famille=famille)
    if sens:
        resultats = resultats.filter(sens=sens)
    if recherche:
        resultats = resultats.filter(Q(organisme__siren__startswith=recherche)
                                     | Q(organisme__raison_sociale__icontains=recherche))
    return resultats.order_by(tri, "organisme_id")


def totaux_par_region(calcul: Calcul) -> QuerySet:
    return (
        calcul.resultats.values("organisme__region_id", "organisme__region__nom")
        .annotate(aides=Sum("aide_totale"), contributions=Sum("contribution"), soldes=Sum("solde"))
        .order_by("organisme__region_id")
    )


# --- Pages and API of the campaigns (mutualisation/views.py, mutualisation/api.py) ---------------------------------

ANNEES_CAMPAGNE = (2013, 2014, 2015)
STATUTS_FIGES = (StatutCampagne.VALIDEE, StatutCampagne.NOTIFIEE, StatutCampagne.CLOSE)
STATUTS_ACTIFS = (StatutCalcul.EN_ATTENTE, StatutCalcul.EN_COURS)
# Sort keys offered by the results table and the API, and the column each one orders by.
TRIS_RESULTATS = {
    "siren": "organisme_id",
    "raison_sociale": "organisme__raison_sociale",
    "region": "organisme__region__nom",
    "famille": "organisme__famille",
    "aide_production": "aide_production",
    "aide_rehabilitation": "aide_rehabilitation",
    "aide_restructuration": "aide_restructuration",
    "ajustements": "ajustements",
    "aide_totale": "aide_totale",
    "contribution": "contribution",
    "solde": "solde",
}
COMPOSANTES_AIDE = (
    ("aide_production", "Production"),
    ("aide_rehabilitation", "Réhabilitation"),
    ("aide_restructuration", "Restructuration"),
    ("ajustements", "Ajustements"),
)
MONTANTS_SYNTHESE = (
    "aide_production", "aide_rehabilitation", "aide_restructuration", "ajustements", "aide_totale",
    "part_cotisation_cglls", "part_loyers", "part_patrimoine", "contribution", "solde",
)


def tri_resultats(cle: str) -> str:
    """The ORM ordering for a sort key of the table ("-solde" sorts descending); unknown keys sort by SIREN."""
    sens, nom = ("-", cle[1:]) if cle.startswith("-") else ("", cle)
    return f"{sens}{TRIS_RESULTATS[nom]}" if nom in TRIS_RESULTATS else "organisme_id"


def campagne_de_l_annee(annee: int) -> Campagne | None:
    return Campagne.objects.filter(annee=annee).first()


def annee_figee(annee: int) -> bool:
    return Campagne.objects.filter(annee=annee, statut__in=STATUTS_FIGES).exists()


def baremes_des_annees(annees) -> dict[int, Bareme]:
    return {bareme.annee: bareme for bareme in Bareme.objects.filter(annee__in=annees)}


def bareme_precedent(annee: int) -> Bareme | None:
    """The barème a new year's one will be copied from (domain.md §3, Decision)."""
    return Bareme.objects.filter(annee__lt=annee).order_by("-annee").first()


def derniers_calculs(annees) -> dict[int, Calcul]:
    """The latest finished run (not a simulation) of each year, in one query."""
    calculs = (
        Calcul.objects.filter(campagne__annee__in=annees, statut=StatutCalcul.TERMINE, simulation=False)
        .select_related("campagne")
        .order_by("campagne__annee", "-fin", "-pk")
        .distinct("campagne__annee")
    )
    return {calcul.campagne.annee: calcul for calcul in calculs}


def calculs_tous() -> QuerySet[Calcul]:
    return Calcul.objects.select_related("campagne", "lance_par")


def _somme(champ: str, **filtre) -> Coalesce:
    return Coalesce(Sum(champ, **filtre), Value(Decimal("0.00")), output_field=DecimalField())


def synthese_du_calcul(calcul: Calcul) -> dict:
    """Totals of the stored result lines in one query: each amount, versements and appels de fonds (both ≥ 0)."""
    versement, appel = Q(sens=Sens.VERSEMENT), Q(sens=Sens.APPEL_DE_FONDS)
    # Aliases must not shadow the fields the other aggregates read ("solde"): prefixed, then renamed.
    synthese = calcul.resultats.aggregate(
        **{f"somme_{nom}": _somme(nom) for nom in MONTANTS_SYNTHESE},
        nb_organismes=Count("pk"),
        nb_exoneres=Count("pk", filter=Q(exonere=True)),
        nb_versements=Count("pk", filter=versement),
        versements=_somme("solde", filter=versement),
        nb_appels=Count("pk", filter=appel),
        appels=_somme("solde", filter=appel),
        nb_nuls=Count("pk", filter=Q(sens=Sens.NUL)),
    )
    synthese = {cle.removeprefix("somme_"): valeur for cle, valeur in synthese.items()}
    synthese["appels"] = -synthese["appels"]  # the amount called from the organisms, as a positive sum
    return synthese


def _controle(libelle: str, obtenu: Decimal, attendu: Decimal) -> dict:
    return {"libelle": libelle, "obtenu": obtenu, "attendu": attendu, "ok": obtenu == attendu}


def controles_du_calcul(calcul: Calcul, synthese: dict) -> list[dict]:
    """The invariants of domain.md §3, checked on the stored lines against the run's control totals."""
    totaux = {cle: Decimal(valeur) for cle, valeur in calcul.totaux.items() if isinstance(valeur, str)}
    total_a_couvrir, frais = totaux.get("total_a_couvrir"), totaux.get("frais_gestion")
    if total_a_couvrir is None or frais is None:
        return []
    return [
        _controle("Σ contributions = T (aides + frais de gestion)", synthese["contribution"], total_a_couvrir),
        _controle("Σ soldes = − frais de gestion", synthese["solde"], -frais),
        _controle("T = Σ aides + frais de gestion", total_a_couvrir, synthese["aide_totale"] + frais),
        _controle("Σ parts cotisation CGLLS = T CGLLS", synthese["part_cotisation_cglls"],
                  totaux.get("total_cotisation_cglls")),
        _controle("Σ parts loyers = T loyers", synthese["part_loyers"], totaux.get("total_loyers")),
        _controle("Σ parts patrimoine = T patrimoine", synthese["part_patrimoine"], totaux.get("total_patrimoine")),
    ]


def resultat_de_l_organisme(user, calcul: Calcul, siren: str) -> ResultatOrganisme | None:
    return resultats_visibles(user, calcul).filter(organisme_id=siren).first()


def hors_champ_de_l_organisme(calcul: Calcul, siren: str) -> list[dict]:
    """Why an organism has no result line in a run (not concerned), from the run's out-of-scope list."""
    return [element for element in calcul.hors_champ if element.get("siren") == siren]


def ajustements_de_l_organisme(annee: int, siren: str) -> QuerySet[Ajustement]:
    return ajustements_de_l_annee(annee).filter(organisme_id=siren).order_by("created_at")


def imports_liste() -> QuerySet[ImportFichier]:
    return ImportFichier.objects.select_related("cree_par", "travail").order_by("-created_at", "-pk")


def voit_l_organisme(user, siren: str) -> bool:
    """Whether the user reads this organism's mutualisation figures (the scope of resultats_visibles)."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ORGANISME:
        return user.organisme_id == siren
    return user.has_perm("mutualisation.voir_resultats")


def etat_import(import_fichier) -> dict:
    """An import's status and, for a worker import, its job's progress (the ``Travail`` row)."""
    travail = import_fichier.travail
    fini = import_fichier.statut in (StatutImport.IMPORTE, StatutImport.REFUSE)
    etat = {
        "id": import_fichier.pk,
        "statut": import_fichier.statut,
        "statut_libelle": import_fichier.get_statut_display(),
        "avancement": 100 if fini else 0,
        "lignes_traitees": import_fichier.nb_lignes,
        "total": import_fichier.nb_lignes,
        "message": import_fichier.message,
        "termine": fini,
    }
    if travail is not None:
        etat |= {"avancement": 100 if fini else travail.pourcentage, "lignes_traitees": travail.avancement,
                 "total": travail.total, "message": travail.message or import_fichier.message,
                 "termine": fini or travail.statut in (StatutTravail.TERMINE, StatutTravail.ECHEC)}
    return etat


def etat_calcul(calcul: Calcul) -> dict:
    """What a run's progress bar shows."""
    return {
        "id": calcul.pk,
        "statut": calcul.statut,
        "statut_libelle": calcul.get_statut_display(),
        "avancement": calcul.avancement,
        "message": calcul.message,
        "termine": calcul.statut in (StatutCalcul.TERMINE, StatutCalcul.ECHEC),
    }


def campagnes_des_annees(annees) -> dict[int, Campagne]:
    return {campagne.annee: campagne for campagne in Campagne.objects.filter(annee__in=annees)}


# --- The campaign's life and its audit trail (docs/cycle-campagne.md, docs/audit.md) --------------------------------
# Imports here, not at the top: this block is appended by the life-cycle work while the top of the file moves.

from django.apps import apps  # noqa: E402

from mutualisation.models import (  # noqa: E402
    ApprobationCalcul,
    BaseAnnuelle,
    Pret,
    ReouvertureCampagne,
    Restructuration,
    ValidationCalcul,
)
from pacte.formats import format_euros  # noqa: E402
from pacte.models import Evenement  # noqa: E402

LIBELLES_CHRONOLOGIE = {
    "bareme_creer": "Barème créé",
    "bareme_modifier": "Barème modifié",
    "ajustement_enregistrer": "Ajustement enregistré",
    "calcul_lancer": "Calcul lancé",
    "calcul_approuver": "Calcul approuvé",
    "calcul_valider": "Calcul validé : l'année est figée",
    "campagne_notifier": "Campagne notifiée",
    "campagne_clore": "Campagne close",
    "campagne_reouvrir": "Année rouverte",
}


@dataclass(frozen=True)
class EtapeCampagne:
    """One step of a campaign's timeline: when, what, who (None: command line or worker), and its details."""

    horodatage: datetime
    action: str
    libelle: str
    auteur: object = None
    details: dict = field(default_factory=dict)

    @property
    def auteur_libelle(self) -> str:
        if self.auteur is None:
            return "ligne de commande ou worker"
        return self.auteur.get_full_name() or self.auteur.get_username()


def _montant_euros(montant) -> str:
    """An amount stored in an event's details (a string such as "1500.00") in French: « 1 500,00 € »."""
    try:
        return format_euros(montant)
    except (ArithmeticError, ValueError, TypeError):  # not a number: shown as stored
        return f"{montant} €"


def _libelle_etape(evenement: Evenement, simulations: set[int]) -> str:
    libelle = LIBELLES_CHRONOLOGIE[evenement.action]
    calcul = evenement.details.get("calcul")
    if evenement.action == "calcul_lancer" and calcul in simulations:
        return f"Simulation n° {calcul} lancée"
    if evenement.action == "calcul_approuver":
        return f"Calcul n° {calcul} approuvé ({evenement.details.get('approbations')}/2)"
    if evenement.action in ("calcul_lancer", "calcul_valider") and calcul:
        return libelle.replace("Calcul", f"Calcul n° {calcul}", 1)
    if evenement.action == "campagne_reouvrir":
        return f"{libelle} : {evenement.details.get('motif', '')}"
    if evenement.action == "ajustement_enregistrer":
        montant = _montant_euros(evenement.details.get("montant"))
        return f"{libelle} pour {evenement.objet.split(' ', 1)[-1]} : {montant}"
    return libelle


def campagne_chronologie(annee: int) -> list[EtapeCampagne]:
    """Who did what and when in a year's campaign, oldest first: barème, adjustments, runs (launched, finished),
    approvals, validation, notification, closing, reopenings. Two queries."""
    calculs = list(Calcul.objects.filter(campagne__annee=annee).order_by("pk"))
    simulations = {calcul.pk for calcul in calculs if calcul.simulation}
    evenements = (
        Evenement.objects.filter(action__in=LIBELLES_CHRONOLOGIE)
        .filter(Q(objet=str(annee)) | Q(objet__startswith=f"{annee} "))
        .select_related("auteur")
    )
    etapes = [EtapeCampagne(e.horodatage, e.action, _libelle_etape(e, simulations), e.auteur, e.details)
              for e in evenements]
    for calcul in calculs:
        if calcul.fin is not None and calcul.statut in (StatutCalcul.TERMINE, StatutCalcul.ECHEC):
            nature = "Simulation" if calcul.simulation else "Calcul"
            issue = "terminé" if calcul.statut == StatutCalcul.TERMINE else f"en échec : {calcul.message}"
            etapes.append(EtapeCampagne(calcul.fin, f"calcul_{calcul.statut}", f"{nature} n° {calcul.pk} {issue}",
                                        None, {"calcul": calcul.pk, "empreinte": calcul.empreinte_entrees}))
    return sorted(etapes, key=lambda etape: etape.horodatage)


def approbations_du_calcul(calcul: Calcul) -> QuerySet[ApprobationCalcul]:
    """A run's approvals, superseded ones included (``annulee_par_reouverture``)."""
    return calcul.approbations.select_related("membre", "annulee_par_reouverture").order_by("created_at", "pk")


def validations_de_l_annee(annee: int) -> QuerySet[ValidationCalcul]:
    return ValidationCalcul.objects.filter(campagne__annee=annee).select_related("calcul", "reouverture",
                                                                                  "reouverture__auteur")


def reouvertures_de_l_annee(annee: int) -> QuerySet[ReouvertureCampagne]:
    return ReouvertureCampagne.objects.filter(campagne__annee=annee).select_related("auteur", "calcul")


def calcul_valide(annee: int) -> Calcul | None:
    """The year's validated run, if the year is validated (the run the notices and the bilan are built from)."""
    return Calcul.objects.filter(campagne__annee=annee, valide=True).select_related("campagne").first()


# --- Audit rows (pghistory event tables, docs/audit.md) ------------------------------------------------------------

ACTIONS_AUDIT = {"creation": "création", "modification": "modification", "suppression": "suppression"}
CHAMPS_IGNORES = {"updated_at"}


@dataclass(frozen=True)
class LigneAudit:
    """One audited change: when, which row, what (before → after; only the changed fields for a modification),
    who, and from where (a page's path, a task's name, a command line)."""

    horodatage: datetime
    table: str
    objet: str
    action: str
    avant: dict
    apres: dict
    contexte: dict
    modele: type | None = field(default=None, compare=False, repr=False)  # the tracked model: labels, choices

    @property
    def auteur(self) -> str:
        return self.contexte.get("utilisateur") or ""

    @property
    def source(self) -> str:
        return self.contexte.get("source") or ""

    @property
    def origine(self) -> str:
        return self.contexte.get("page") or self.contexte.get("tache") or self.contexte.get("commande") or ""


def _modele_evenement(modele):
    return apps.get_model(modele._meta.app_label, f"{modele.__name__}Event")


def _donnees(ligne: dict) -> dict:
    return {cle: valeur for cle, valeur in ligne.items() if not cle.startswith("pgh_") and cle not in CHAMPS_IGNORES}


def _lignes_audit(modele, filtre: Q) -> list[LigneAudit]:
    """A tracked model's events, an update's two snapshots (before, after) folded into one line."""
    table = str(modele._meta.verbose_name)
    avants, lignes = {}, []
    for ligne in _modele_evenement(modele).objects.filter(filtre).order_by("pgh_id").values():
        objet, donnees = str(ligne["pgh_obj_id"]), _donnees(ligne)
        if ligne["pgh_label"] == "avant_modification":
            avants[objet] = donnees
            continue
        avant, apres = ({}, donnees) if ligne["pgh_label"] == "creation" else (donnees, {})
        if ligne["pgh_label"] == "modification":
            precedent = avants.pop(objet, {})
            avant = {cle: valeur for cle, valeur in precedent.items() if donnees.get(cle) != valeur}
            apres = {cle: donnees[cle] for cle in avant}
        lignes.append(LigneAudit(ligne["pgh_created_at"], table, objet, ACTIONS_AUDIT[ligne["pgh_label"]],
                                 avant, apres, ligne["pgh_context"] or {}, modele))
    return lignes


def _trier(lignes: list[LigneAudit]) -> list[LigneAudit]:
    return sorted(lignes, key=lambda ligne: ligne.horodatage, reverse=True)


def audit_de_la_campagne(annee: int) -> list[LigneAudit]:
    """Every audited change to a year: its campaign, barème, runs, approvals, validations and reopenings,
    adjustments, the validated run's results, and the year's bases, restructurings and loans. Newest first."""
    campagne = Campagne.objects.filter(annee=annee).first()
    campagne_id = campagne.pk if campagne else None
    calculs = list(Calcul.objects.filter(campagne_id=campagne_id).values_list("pk", flat=True))
    filtres = [
        (Campagne, Q(annee=annee)),
        (Bareme, Q(annee=annee)),
        (Calcul, Q(campagne_id=campagne_id)),
        (ApprobationCalcul, Q(calcul_id__in=calculs)),
        (ValidationCalcul, Q(campagne_id=campagne_id)),
        (ReouvertureCampagne, Q(campagne_id=campagne_id)),
        (Ajustement, Q(campagne_id=campagne_id)),
        (ResultatOrganisme, Q(calcul_id__in=calculs)),
        (BaseAnnuelle, Q(annee=annee)),
        (Restructuration, Q(annee=annee)),
        (Pret, Q(date_signature__year=annee)),
    ]
    return _trier([ligne for modele, filtre in filtres for ligne in _lignes_audit(modele, filtre)])


def audit_de_l_organisme(siren: str) -> list[LigneAudit]:
    """Every audited change to an organism's money: adjustments, results, bases, restructurings, loans."""
    modeles = (Ajustement, ResultatOrganisme, BaseAnnuelle, Restructuration, Pret)
    return _trier([ligne for modele in modeles for ligne in _lignes_audit(modele, Q(organisme_id=siren))])
