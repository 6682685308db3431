"""The mutualisation's kinds of work for the worker (registered in pacte.travaux when the app is ready)."""

from pacte.travaux import travail


@travail("import_fichier")
def _import_fichier(travail_row) -> dict:
    from mutualisation.services.imports import import_executer

    fichier = import_executer(travail_row.parametres["import_id"], travail=travail_row)
    return {
        "import_id": fichier.pk, "statut": fichier.statut, "message": fichier.message,
        "nb_lignes": fichier.nb_lignes, "nb_ajoutees": fichier.nb_ajoutees,
        "nb_remplacees": fichier.nb_remplacees, "nb_inchangees": fichier.nb_inchangees,
    }
