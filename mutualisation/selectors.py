"""Reads of the mutualisation shared by pages, API, exports and the command line (scope applied here)."""

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from mutualisation.enums import Sens, StatutCalcul, StatutCampagne, StatutImport
from mutualisation.models import Ajustement, Bareme, Calcul, Campagne, ImportFichier, ResultatOrganisme
from pacte.enums import Role, StatutTravail


def campagnes_liste() -> QuerySet[Campagne]:
    return Campagne.objects.order_by("annee")


def dernier_calcul(annee: int, *, simulation: bool = False) -> Calcul | None:
    return (
        Calcul.objects.filter(campagne__annee=annee, statut=StatutCalcul.TERMINE, simulation=simulation)
        .select_related("campagne")
        .order_by("-fin", "-pk")
        .first()
    )


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


def resultats_filtrer(user, calcul: Calcul, *, region="", famille="", sens="", recherche="", tri="organisme_id"):
    resultats = resultats_visibles(user, calcul)
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
