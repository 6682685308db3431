"""Reads of a run's result lines: the reader's scope, filtering and sorting, the cache key of the results table,
totals, synthesis and control invariants, one organism's line."""

import hashlib
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from mutualisation.enums import Sens
from mutualisation.models import Calcul, ResultatOrganisme
from mutualisation.selectors.campagne import VersionCalcul
from pacte.enums import Role


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


# --- Pages and API of the campaigns (mutualisation/views/, mutualisation/api.py) -----------------------------------

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


def voit_l_organisme(user, siren: str) -> bool:
    """Whether the user reads this organism's mutualisation figures (the scope of resultats_visibles)."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ORGANISME:
        return user.organisme_id == siren
    return user.has_perm("mutualisation.voir_resultats")
