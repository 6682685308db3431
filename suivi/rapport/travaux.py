"""The annual report as a kind of work for the worker (registered in pacte.travaux when the app is ready)."""

from pacte.travaux import travail


@travail("rapport_annuel")
def _rapport_annuel(travail_row) -> dict:
    from suivi.services import rapport_annuel_produire

    rapport = rapport_annuel_produire(rapport_id=travail_row.parametres["rapport_id"])
    return {"rapport_id": rapport.pk, "annee": rapport.annee, "fichier": rapport.fichier.name,
            "empreinte": rapport.empreinte}
