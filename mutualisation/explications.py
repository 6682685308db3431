"""An organism's explanation with the detail of its loans (docs/mutualisation.md, « Le détail des prêts »).

A run stores each explanation without its organism's loans, with the digest of those loans: copying thousands of
loans into every run cost most of its time. The detail is built from the loans table when a page, a notice or the
API shows it, as long as the organism's loans still have the run's digest; when they have changed since (a new
extract), the explanation says so and shows no loan rather than loans the run did not use. When the run is
validated, the detail is written into its explanations once and for all (``figer``): a validated run's notices
never depend on later imports.
"""

from dataclasses import dataclass

from django.db import connection

from mutualisation import calculs, chargement
from mutualisation.models import Calcul, ResultatOrganisme
from mutualisation.serialisation import explication_json

LISTES_DE_PRETS = ("operations_production", "prets_rehabilitation")
CLE_RESUME = "resume_prets"


@dataclass(frozen=True)
class ExplicationDetaillee:
    explication: dict  # mutualisation.serialisation.explication_json's form, loans included
    prets_a_jour: bool  # False: the organism's loans changed since the run; no loan is listed


def explication_sans_prets(explication: calculs.Explication, resume: str) -> dict:
    """What a run stores: the explanation without its loans' lists, with the digest of the organism's loans."""
    return {**explication_json(explication, prets=False), CLE_RESUME: resume}


def est_figee(explication: dict) -> bool:
    """The explanation holds its loans (a validated run, or a run written before the detail was built on demand)."""
    return LISTES_DE_PRETS[0] in explication


def _complete(explication: dict, detail: chargement.DetailPrets | None) -> ExplicationDetaillee:
    sans_resume = {cle: valeur for cle, valeur in explication.items() if cle != CLE_RESUME}
    if est_figee(explication):
        return ExplicationDetaillee(sans_resume, True)
    if detail is None or detail.resume != explication.get(CLE_RESUME):
        return ExplicationDetaillee({**sans_resume, "operations_production": [], "prets_rehabilitation": []}, False)
    return ExplicationDetaillee({
        **sans_resume,
        "operations_production": detail.operations_production,
        "prets_rehabilitation": detail.prets_rehabilitation,
        "hors_champ": detail.hors_champ + explication.get("hors_champ", []),
    }, True)


def detaillees(calcul: Calcul, resultats: list[ResultatOrganisme]) -> dict[str, ExplicationDetaillee]:
    """The explanations of these result lines of one run, by SIREN, in one query at most."""
    a_construire = [r.organisme_id for r in resultats if not est_figee(r.explication)]
    details = chargement.details_prets(chargement.bareme_de_variante(calcul.bareme), a_construire)
    return {r.organisme_id: _complete(r.explication, details.get(r.organisme_id)) for r in resultats}


def detaillee(resultat: ResultatOrganisme, calcul: Calcul | None = None) -> ExplicationDetaillee:
    """One result line's explanation (``calcul``: its run, when the caller holds it, saves a query)."""
    return detaillees(calcul or resultat.calcul, [resultat])[resultat.organisme_id]


class PretsModifies(calculs.ErreurMutualisation):
    """The loans changed between the run and its validation: nothing is frozen."""


def figer(calcul: Calcul) -> None:
    """Write the loans' detail into every explanation of the run (at its validation, in its transaction)."""
    with connection.cursor() as curseur:
        differentes = chargement.details_figer(curseur, calcul_id=calcul.pk,
                                               bareme=chargement.bareme_de_variante(calcul.bareme))
    if differentes:
        raise PretsModifies(f"Les prêts de {differentes} organisme(s) ont changé depuis le calcul n° {calcul.pk} : "
                            "relancez le calcul avant de le valider.")
