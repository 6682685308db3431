"""Reads of the campaigns, their barèmes, runs (and the version a cache key names), adjustments and imports, with
the progress states the pages poll."""

import functools
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import QuerySet

from mutualisation.enums import StatutCalcul, StatutCampagne, StatutImport
from mutualisation.models import Ajustement, Bareme, Calcul, Campagne, ImportFichier
from pacte.enums import StatutTravail


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


# --- Pages and API of the campaigns (mutualisation/views/, mutualisation/api.py) -----------------------------------

ANNEES_CAMPAGNE = (2013, 2014, 2015)
STATUTS_FIGES = (StatutCampagne.VALIDEE, StatutCampagne.NOTIFIEE, StatutCampagne.CLOSE)
STATUTS_ACTIFS = (StatutCalcul.EN_ATTENTE, StatutCalcul.EN_COURS)


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


def ajustements_de_l_organisme(annee: int, siren: str) -> QuerySet[Ajustement]:
    return ajustements_de_l_annee(annee).filter(organisme_id=siren).order_by("created_at")


def imports_liste() -> QuerySet[ImportFichier]:
    return ImportFichier.objects.select_related("cree_par", "travail").order_by("-created_at", "-pk")


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
