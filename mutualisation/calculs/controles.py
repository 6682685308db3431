"""Contrôles autour du calcul : cohérence des opérations, invariants d'un résultat, empreinte des entrées."""

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import fields
from datetime import date
from decimal import Decimal
from functools import cache
from operator import attrgetter

from .donnees import (
    MONTANTS_LIGNE,
    MONTANTS_TOTAUX,
    AjustementEntree,
    Bareme,
    InvariantViole,
    LigneResultat,
    OrganismeEntree,
    PretEntree,
    RestructurationEntree,
    ResultatCampagne,
    sens_du_solde,
)


def operations_incoherentes(prets: Iterable[PretEntree]) -> list[str]:
    """Numéros d'opération dont les prêts n'ont pas tous le même SIREN ou la même zone, triés (vide si aucun).

    Une zone vide est ignorée : seuls les prêts PLUS/PLAI doivent en porter une (formats.md)."""
    sirens, zones = defaultdict(set), defaultdict(set)
    for pret in prets:
        if pret.numero_operation:
            sirens[pret.numero_operation].add(pret.siren)
            if pret.zone:
                zones[pret.numero_operation].add(pret.zone)
    return sorted(op for op in sirens if len(sirens[op]) > 1 or len(zones[op]) > 1)


# --- Invariants -----------------------------------------------------------------------------------


def verifier_invariants(resultat: ResultatCampagne) -> None:
    """Lève InvariantViole, avec toutes les violations en français, si une égalité de domain.md §3 ne tient pas."""
    violations = _violations_decimales(resultat)
    if not violations:
        violations = [v for ligne in resultat.lignes for v in _violations_ligne(ligne)]
        violations += _violations_totaux(resultat)
    if violations:
        raise InvariantViole("Invariants de la campagne violés : " + " ; ".join(violations))


CENTIME = Decimal("0.01")


def _deux_decimales(valeur) -> bool:
    """A finite Decimal whose exponent is exactly -2 (``same_quantum``: five times cheaper than ``as_tuple``, which
    copies the digits; false for NaN and infinities)."""
    return isinstance(valeur, Decimal) and valeur.same_quantum(CENTIME)


_MONTANTS_D_UNE_LIGNE = attrgetter(*MONTANTS_LIGNE)


def _violations_decimales(resultat: ResultatCampagne) -> list[str]:
    montants = [m for ligne in resultat.lignes for m in _MONTANTS_D_UNE_LIGNE(ligne)]
    montants += [getattr(resultat, nom) for nom in MONTANTS_TOTAUX]
    # all of them at once, in C (a tenth of the time of one call per amount); anything that is not a Decimal raises
    # TypeError, and the amounts are then looked at one by one, as when one of them fails
    with suppress(TypeError):
        if all(map(CENTIME.same_quantum, montants)):
            return []
    fautifs = [
        f"{ligne.siren} {nom}"
        for ligne in resultat.lignes
        for nom in MONTANTS_LIGNE
        if not _deux_decimales(getattr(ligne, nom))
    ]
    fautifs += [nom for nom in MONTANTS_TOTAUX if not _deux_decimales(getattr(resultat, nom))]
    return [f"montants sans exactement deux décimales ({', '.join(fautifs)})"] if fautifs else []


def _violations_ligne(ligne: LigneResultat) -> list[str]:
    aides = ligne.aide_production + ligne.aide_rehabilitation + ligne.aide_restructuration + ligne.ajustements
    parts = ligne.part_cotisation_cglls + ligne.part_loyers + ligne.part_patrimoine
    controles = [
        (ligne.aide_totale == aides, "aide totale ≠ somme des aides et ajustements"),
        (ligne.contribution == parts, "contribution ≠ somme des trois parts"),
        (ligne.solde == ligne.aide_totale - ligne.contribution, "solde ≠ aide − contribution"),
        (ligne.sens == sens_du_solde(ligne.solde), f"sens « {ligne.sens} » incohérent avec le solde"),
        (not ligne.exonere or _parts_nulles(ligne), "un organisme exonéré contribue"),
    ]
    return [f"{ligne.siren} : {message}" for ok, message in controles if not ok]


def _parts_nulles(ligne: LigneResultat) -> bool:
    parts = (ligne.part_cotisation_cglls, ligne.part_loyers, ligne.part_patrimoine, ligne.contribution)
    return all(part == 0 for part in parts)


def _violations_totaux(r: ResultatCampagne) -> list[str]:
    def somme(nom: str) -> Decimal:
        return sum(map(attrgetter(nom), r.lignes), Decimal("0.00"))

    sirens = [ligne.siren for ligne in r.lignes]
    controles = [
        (somme("aide_totale") == r.total_aides, "Σ aides ≠ total des aides"),
        (r.total_a_couvrir == r.total_aides + r.frais_gestion, "T ≠ Σ aides + frais de gestion"),
        (r.total_cotisation_cglls + r.total_loyers + r.total_patrimoine == r.total_a_couvrir, "Σ des trois parts ≠ T"),
        (somme("part_cotisation_cglls") == r.total_cotisation_cglls, "Σ parts cotisation CGLLS ≠ T_cglls"),
        (somme("part_loyers") == r.total_loyers, "Σ parts loyers ≠ T_loyers"),
        (somme("part_patrimoine") == r.total_patrimoine, "Σ parts patrimoine ≠ T_patrimoine"),
        (somme("contribution") == r.total_contributions == r.total_a_couvrir, "Σ contributions ≠ T"),
        (somme("solde") == r.total_soldes == -r.frais_gestion, "Σ soldes ≠ −frais de gestion"),
        (sirens == sorted(set(sirens)), "lignes non triées par SIREN ou SIREN en double"),
    ]
    return [message for ok, message in controles if not ok]


# --- Empreinte ------------------------------------------------------------------------------------


def empreinte_entrees(
    annee: int,
    bareme: Bareme,
    organismes: Iterable[OrganismeEntree],
    prets: Iterable[PretEntree],
    restructurations: Iterable[RestructurationEntree],
    ajustements: Iterable[AjustementEntree],
    *,
    resume_prets: str = "",
) -> str:
    """sha256 (hexadécimal) des entrées et du barème : indépendante de l'ordre des listes ; 1.0 € = 1.00 €.

    ``resume_prets`` : le résumé des prêts calculé par la base quand ils n'entrent pas un à un (``prets`` vide)."""
    return empreinte_achevee(empreinte_partielle(annee, bareme, organismes, prets, restructurations, ajustements),
                             resume_prets)


def empreinte_partielle(annee: int, bareme: Bareme, organismes, prets, restructurations, ajustements):
    """L'empreinte des entrées avant le résumé des prêts (un objet sha256 à achever par ``empreinte_achevee``) :
    calculable dès que les entrées sont lues, pendant que la base agrège encore les prêts."""
    empreinte = hashlib.sha256(f"mutualisation-v1|{annee}|{_canonique(bareme)}".encode())
    sections = {"organismes": organismes, "prets": prets, "restructurations": restructurations,
                "ajustements": ajustements}
    for nom, elements in sections.items():
        empreinte.update(f"\n#{nom}".encode())
        for ligne in sorted(map(_canonique, elements)):
            empreinte.update(f"\n{ligne}".encode())
    return empreinte


def empreinte_achevee(partielle, resume_prets: str = "") -> str:
    """L'empreinte hexadécimale, le résumé des prêts ajouté (la partielle n'est pas modifiée)."""
    empreinte = partielle.copy()
    if resume_prets:
        empreinte.update(f"\n#resume_prets\n{resume_prets}".encode())
    return empreinte.hexdigest()


def _canonique(objet) -> str:
    """Une ligne sans ambiguïté (repr d'un tuple de str, int, bool, None) ; un Decimal par sa fraction exacte."""
    return repr(tuple(map(_valeur_canonique, _champs(type(objet))(objet))))


@cache
def _champs(classe: type) -> attrgetter:
    """Les valeurs des champs d'une dataclass, dans leur ordre, en un appel (toujours un tuple)."""
    noms = tuple(f.name for f in fields(classe))
    lire = attrgetter(*noms)
    return lire if len(noms) > 1 else lambda objet: (lire(objet),)


def _valeur_canonique(valeur):
    if isinstance(valeur, Decimal):
        return "{}/{}".format(*valeur.as_integer_ratio())
    if isinstance(valeur, date):
        return valeur.isoformat()
    return valeur
