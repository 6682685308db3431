"""The mutualisation's kinds of work for the worker (registered in pacte.travaux when the app is ready)."""

from pacte.travaux import abandon, travail


@travail("import_fichier")
def _import_fichier(travail_row) -> dict:
    from mutualisation.services.imports import import_executer

    fichier = import_executer(travail_row.parametres["import_id"], travail=travail_row)
    return {
        "import_id": fichier.pk, "statut": fichier.statut, "message": fichier.message,
        "nb_lignes": fichier.nb_lignes, "nb_ajoutees": fichier.nb_ajoutees,
        "nb_remplacees": fichier.nb_remplacees, "nb_inchangees": fichier.nb_inchangees,
    }


@abandon("import_fichier")
def _import_abandonne(travail_id: int) -> None:
    """The job's worker died mid-import (docs/pannes.md): its transaction died with it; say so on the import."""
    from mutualisation.enums import StatutImport
    from mutualisation.models import ImportFichier

    ImportFichier.objects.filter(travail_id=travail_id, statut=StatutImport.EN_COURS).update(
        statut=StatutImport.REFUSE,
        message="Import interrompu : le worker s'est arrêté pendant l'import. Rien n'a été importé ; "
                "importez le fichier de nouveau.")
