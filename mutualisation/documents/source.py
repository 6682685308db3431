"""The run every document is built from: the year's validated run (four-eyes validation, services/cycle.py).

While it is validated, the database refuses any change to the year's barème, inputs and results (mutualisation.gel):
the bases a notice prints beside the stored amounts are therefore those the run was computed on.
"""

from mutualisation import selectors
from mutualisation.models import Calcul
from mutualisation.services.campagne import ErreurCampagne


class ErreurDocument(ErreurCampagne):
    """A document that cannot be produced; the message is French and meant for the user."""


def exiger_calcul_valide(annee: int) -> Calcul:
    calcul = selectors.calcul_valide(annee)
    if calcul is None:
        raise ErreurDocument(f"L'année {annee} n'a pas de calcul validé : aucun document ne peut être produit.")
    return calcul
