"""The documents' kind of work for the worker (registered in pacte.travaux when the app is ready)."""

from pacte.travaux import travail


@travail("avis_generer")
def _avis_generer(travail_row) -> dict:
    from mutualisation.documents.lots import lot_du_travail

    return lot_du_travail(travail_row)
