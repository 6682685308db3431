"""The imports of formats.md (organismes, bases, prets, restructurations; agrements, rehabilitations, objectifs
registered by suivi) as a service: the same functions serve the web page (preview, then submission), the API, the
command line and the worker.

    analyse = import_analyser(type_fichier="prets", nom_fichier="prets.csv", contenu=octets)   # no write
    fichier = import_soumettre(acting_user=user, type_fichier="prets", nom_fichier="prets.csv", contenu=octets)
    fichier.statut  # « importe », « refuse » (fichier.message, fichier.erreurs), or « en_attente » on the worker
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath

from django.conf import settings
from django.db import transaction

from mutualisation import imports
from mutualisation.enums import StatutImport
from mutualisation.imports import ImportRefuse
from mutualisation.models import ImportFichier
from pacte.lecture import Erreur, formater_erreurs
from pacte.models import Travail
from pacte.services import fichier_conserver, travail_avancer, travail_creer
from pacte.televersement import message_trop_gros

SEUIL_OCTETS = 5 * 1024 * 1024  # past this size, or this many lines, a file is imported on the worker
SEUIL_LIGNES = 20_000
SEUIL_OCTETS_XLSX = 1024 * 1024  # an xlsx is compressed: about 20 000 lines of a CDC extract
LIGNES_APERCU = 20
NATURE = "import_fichier"
ETAPES = {  # progress of a job on the worker, out of 100
    "lecture": (5, "Lecture du fichier"),
    "validation": (25, "Vérification des lignes"),
    "base": (60, "Contrôles en base et écriture"),
    "fin": (100, "Import terminé"),
}


class ErreurImport(ValueError):
    """A request that cannot even be recorded (unknown type, no file name); the message is French."""


@dataclass
class Analyse:
    """What a file would do, for the preview page: nothing has been written.

    apercu: the first 20 cleaned lines, as dicts of Python values with their line number (« ligne »).
    doublon: the earlier import of the very same content, if any (the file would be refused).
    """

    type_fichier: str
    nom_fichier: str
    empreinte: str
    taille: int
    nb_lignes: int = 0
    colonnes: list[str] = field(default_factory=list)
    apercu: list[dict] = field(default_factory=list)
    erreurs: list[Erreur] = field(default_factory=list)
    colonnes_ignorees: list[str] = field(default_factory=list)
    nb_ajoutees: int = 0
    nb_remplacees: int = 0
    nb_inchangees: int = 0
    doublon: ImportFichier | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        """The file would be imported."""
        return not self.erreurs and self.doublon is None and self.nb_lignes > 0

    def rapport(self, limite: int | None = 200) -> str:
        parties = [self.message]
        if self.colonnes_ignorees:
            parties.append("Colonnes ignorées : " + ", ".join(self.colonnes_ignorees) + ".")
        if self.erreurs:
            parties.append(formater_erreurs(self.erreurs, limite))
        return "\n".join(parties)


def _empreinte(contenu: bytes) -> str:
    return hashlib.sha256(contenu).hexdigest()


def _verifier_taille(taille: int) -> None:
    """A file past PACTE_TAILLE_MAX_IMPORT is not even recorded (the upload pages refuse it before reading it)."""
    if taille > settings.PACTE_TAILLE_MAX_IMPORT:
        raise ErreurImport(message_trop_gros(taille))


def _cible(type_fichier: str, nom_fichier: str) -> imports.Cible:
    if not nom_fichier or not PurePath(nom_fichier).name:
        raise ErreurImport("Nom de fichier manquant.")
    try:
        return imports.cible(type_fichier)
    except ValueError as erreur:
        raise ErreurImport(str(erreur)) from None


# --- Preview -----------------------------------------------------------------------------------------------------


def import_analyser(*, type_fichier: str, nom_fichier: str, contenu: bytes) -> Analyse:
    """Read and check a file, database cross-checks included, and say what importing it would change. No write."""
    cible = _cible(type_fichier, nom_fichier)
    _verifier_taille(len(contenu))
    empreinte = _empreinte(contenu)
    analyse = Analyse(type_fichier, nom_fichier, empreinte, len(contenu),
                      doublon=imports.doublon(type_fichier, empreinte))
    try:
        resultat = imports.lire(cible, nom_fichier, contenu)
    except ImportRefuse as refus:
        return replace(analyse, erreurs=refus.erreurs, message=str(refus))
    with resultat:
        bilan = imports.verifier(cible, resultat)
    analyse = replace(
        analyse, nb_lignes=resultat.nb_lignes, colonnes=cible.noms, apercu=_apercu(resultat),
        erreurs=bilan.erreurs, colonnes_ignorees=resultat.colonnes_ignorees, nb_ajoutees=bilan.ajoutees,
        nb_remplacees=bilan.remplacees, nb_inchangees=bilan.inchangees,
    )
    return replace(analyse, message=_message_analyse(analyse))


def _apercu(resultat: imports.FichierLu) -> list[dict]:
    debut = resultat.apercu.head(LIGNES_APERCU)
    lignes = replace(resultat, apercu=debut).lignes_apercu()
    return [{"ligne": int(ligne), **valeurs} for ligne, valeurs in zip(debut.index, lignes, strict=True)]


def _message_analyse(analyse: Analyse) -> str:
    if analyse.doublon is not None:
        return imports.message_doublon(analyse.doublon)
    if analyse.erreurs:
        return imports.message_refus(analyse.erreurs)
    if not analyse.nb_lignes:
        return "Le fichier ne contient aucune ligne de données : rien à importer."
    return (
        f"Fichier valide : {analyse.nb_lignes} ligne(s) ; {analyse.nb_ajoutees} à ajouter, "
        f"{analyse.nb_remplacees} à remplacer, {analyse.nb_inchangees} inchangée(s)."
    )


# --- Submission --------------------------------------------------------------------------------------------------


def import_soumettre(
    *, acting_user, type_fichier: str, nom_fichier: str, contenu: bytes, sur_le_worker: bool | None = None
) -> ImportFichier:
    """Record an import and run it: inline for a small file, on the worker for a big one (or when asked).

    Returns the ImportFichier: « importe » with its counts, « refuse » with its message and errors (nothing else
    changed), or « en_attente » with its Travail when the worker will run it. The file is kept under var/fichiers.
    """
    _cible(type_fichier, nom_fichier)
    _verifier_taille(len(contenu))
    nom_fichier = PurePath(nom_fichier).name
    empreinte = _empreinte(contenu)
    chemin = fichier_conserver(contenu, empreinte=empreinte, nom=nom_fichier)
    auteur = acting_user if acting_user is not None and acting_user.is_authenticated else None
    fichier = ImportFichier.objects.create(
        type_fichier=type_fichier, nom_fichier=nom_fichier[:255], empreinte=empreinte, chemin=str(chemin),
        taille=len(contenu), cree_par=auteur,
    )
    precedent = imports.doublon(type_fichier, empreinte, sauf=fichier.pk)
    if precedent is not None:
        _refuser(fichier, ImportRefuse(imports.message_doublon(precedent)))
        return fichier
    if sur_le_worker if sur_le_worker is not None else _gros_fichier(contenu, nom_fichier):
        return _envoyer_au_worker(fichier, acting_user)
    return import_executer(fichier.pk)


def _gros_fichier(contenu: bytes, nom_fichier: str) -> bool:
    if PurePath(nom_fichier).suffix.lower() == ".xlsx":
        return len(contenu) > SEUIL_OCTETS_XLSX
    return len(contenu) > SEUIL_OCTETS or contenu.count(b"\n") > SEUIL_LIGNES


def _envoyer_au_worker(fichier: ImportFichier, acting_user) -> ImportFichier:
    with transaction.atomic():
        fichier.travail = travail_creer(nature=NATURE, parametres={"import_id": fichier.pk}, acting_user=acting_user)
        fichier.save(update_fields=["travail", "updated_at"])
    return fichier


# --- Execution (inline or on the worker) -------------------------------------------------------------------------


def import_executer(import_id: int, *, travail: Travail | None = None) -> ImportFichier:
    """Run a recorded import: read, check, write in one transaction, or record the refusal.

    The worker calls it with its job row, whose progress it updates. An import already started or finished
    (a redelivered message) is returned as it is, not run twice."""
    fichier = _demarrer(import_id)
    if fichier is None:
        return ImportFichier.objects.get(pk=import_id)
    avancer = _avancement(travail or fichier.travail)
    try:
        _importer(fichier, avancer)
    except ImportRefuse as refus:
        _refuser(fichier, refus)
    except Exception:
        _refuser(fichier, ImportRefuse("Import interrompu par une erreur technique : rien n'a été importé."))
        raise
    avancer("fin")
    fichier.refresh_from_db()
    return fichier


def _demarrer(import_id: int) -> ImportFichier | None:
    with transaction.atomic():
        fichier = ImportFichier.objects.select_for_update().get(pk=import_id)
        if fichier.statut != StatutImport.EN_ATTENTE:
            return None
        fichier.statut = StatutImport.EN_COURS
        fichier.save(update_fields=["statut", "updated_at"])
    return fichier


def _importer(fichier: ImportFichier, avancer: Callable[[str], None]) -> None:
    cible = imports.cible(fichier.type_fichier)
    avancer("lecture")
    if Path(fichier.chemin).stat().st_size > settings.PACTE_TAILLE_MAX_IMPORT:  # never read a file past the limit
        raise ImportRefuse(message_trop_gros(Path(fichier.chemin).stat().st_size))
    contenu = Path(fichier.chemin).read_bytes()
    avancer("validation")
    with imports.lire(cible, fichier.nom_fichier, contenu) as resultat:
        del contenu  # the lines are in the COPY text now
        avancer("base")
        imports.enregistrer(cible, resultat, fichier, acting_user=fichier.cree_par)


def _avancement(travail: Travail | None) -> Callable[[str], None]:
    def avancer(etape: str) -> None:
        if travail is not None:
            avancement, message = ETAPES[etape]
            travail_avancer(travail, avancement=avancement, total=100, message=message)

    return avancer


def _refuser(fichier: ImportFichier, refus: ImportRefuse) -> None:
    fichier.statut = StatutImport.REFUSE
    fichier.message = str(refus)
    fichier.erreurs = imports.erreurs_json(refus.erreurs)
    fichier.colonnes_ignorees = refus.colonnes_ignorees
    fichier.nb_lignes = refus.nb_lignes
    fichier.save(update_fields=["statut", "message", "erreurs", "colonnes_ignorees", "nb_lignes", "updated_at"])


def rapport_import(fichier: ImportFichier, limite: int | None = None) -> str:
    """The French report of a recorded import: its message, ignored columns, and the table of bad lines."""
    parties = [fichier.message]
    if fichier.colonnes_ignorees:
        parties.append("Colonnes ignorées : " + ", ".join(fichier.colonnes_ignorees) + ".")
    if fichier.erreurs:
        erreurs = [Erreur(e["ligne"], e["colonne"], e["valeur"], e["motif"]) for e in fichier.erreurs]
        parties.append(formater_erreurs(erreurs, limite))
    return "\n".join(parties)


def apercus_purger(*, age_max_heures: int = 24) -> int:
    """Delete the preview files older than the limit (an abandoned preview never reaches import_soumettre)."""
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    limite = timezone.now() - timedelta(hours=age_max_heures)
    if not default_storage.exists("imports/apercus"):
        return 0
    _, fichiers = default_storage.listdir("imports/apercus")
    anciens = [f"imports/apercus/{nom}" for nom in fichiers
               if default_storage.get_modified_time(f"imports/apercus/{nom}") < limite]
    for chemin in anciens:
        default_storage.delete(chemin)
    return len(anciens)
