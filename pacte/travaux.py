"""The kinds of long work the worker knows, each a function taking the job row and returning a JSON result."""

from collections.abc import Callable

_EXECUTEURS: dict[str, Callable] = {}


def travail(nature: str):
    def enregistrer(fonction: Callable) -> Callable:
        _EXECUTEURS[nature] = fonction
        return fonction

    return enregistrer


def executeur(nature: str) -> Callable:
    try:
        return _EXECUTEURS[nature]
    except KeyError:
        raise ValueError(f"Nature de travail inconnue : {nature}") from None


@travail("referentiels_charger")
def _referentiels(travail_row) -> dict:
    from pacte.services import referentiels_charger

    return referentiels_charger(acting_user=travail_row.cree_par)
