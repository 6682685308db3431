"""Apps add their own reference data to `referentiels_charger` (the barème lives in mutualisation)."""

from collections.abc import Callable

_CHARGEURS: list[Callable[[], dict[str, int]]] = []


def enregistrer_chargeur(chargeur: Callable[[], dict[str, int]]) -> Callable[[], dict[str, int]]:
    _CHARGEURS.append(chargeur)
    return chargeur


def chargeurs_supplementaires() -> list[Callable[[], dict[str, int]]]:
    return list(_CHARGEURS)
