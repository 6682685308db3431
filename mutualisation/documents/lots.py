"""A year's notices as one batch: every organism's PDF, the schedule (CSV and XLSX) and, for the worker, a ZIP.

The worker job ``avis_generer`` (documents/travaux.py) and the command ``mutualisation notifier`` both write a batch
through ``lot_ecrire``; the pages find the files of the latest finished job through ``fichier_avis`` / ``fichier_zip``.
"""

import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings

from mutualisation.documents.avis import avis_ecrire, contexte_avis, nom_fichier
from mutualisation.documents.echeancier import echeancier_csv, echeancier_xlsx, lignes_echeancier, totaux_echeancier
from mutualisation.documents.source import ErreurDocument
from mutualisation.models import Calcul
from pacte.enums import StatutTravail
from pacte.models import Travail
from pacte.services import travail_avancer

NATURE = "avis_generer"


@dataclass(frozen=True)
class Lot:
    dossier: Path
    avis: list[tuple[Path, int]]
    echeancier: list[Path]
    archive: Path | None
    totaux: dict
    date_emission: date
    duree: float

    @property
    def octets(self) -> int:
        return sum(taille for _, taille in self.avis) + sum(f.stat().st_size for f in self.echeancier)


def _archiver(chemin: Path, fichiers: list[Path]) -> Path:
    """PDFs are stored as they are (already compressed), the schedule deflated."""
    with zipfile.ZipFile(chemin, "w") as archive:
        for fichier in fichiers:
            methode = zipfile.ZIP_STORED if fichier.suffix == ".pdf" else zipfile.ZIP_DEFLATED
            archive.write(fichier, fichier.name, compress_type=methode)
    return chemin


def lot_ecrire(calcul: Calcul, dossier: Path, *, date_emission: date | None = None, archive: bool = False,
               processus: int | None = None, progression: Callable[[int, int], None] | None = None) -> Lot:
    """Every notice of the run, then the schedule, into ``dossier``; with ``archive``, a ZIP of them all."""
    debut, annee = time.perf_counter(), calcul.campagne.annee
    contexte = contexte_avis(calcul, date_emission=date_emission)
    avis = avis_ecrire(calcul, dossier, contexte=contexte, processus=processus, progression=progression)
    lignes = lignes_echeancier(calcul, date_emission=contexte.date_emission)
    echeancier = [dossier / f"echeancier-{annee}.csv", dossier / f"echeancier-{annee}.xlsx"]
    echeancier[0].write_bytes(echeancier_csv(lignes))
    echeancier[1].write_bytes(echeancier_xlsx(lignes, annee=annee))
    zip_ = _archiver(dossier / f"avis-{annee}.zip", [c for c, _ in avis] + echeancier) if archive else None
    return Lot(dossier, avis, echeancier, zip_, totaux_echeancier(lignes), contexte.date_emission,
               time.perf_counter() - debut)


def lot_du_travail(travail: Travail) -> dict:
    """The worker job: the run recorded when the job was asked for, still validated, written under FICHIERS_DIR."""
    calcul = Calcul.objects.select_related("campagne").get(pk=travail.parametres["calcul"])
    if not calcul.valide:
        raise ErreurDocument(f"Le calcul n° {calcul.pk} n'est plus validé : avis non générés.")
    annee = calcul.campagne.annee
    travail_avancer(travail, avancement=0, total=calcul.resultats.count(), message="Rendu des avis…")

    def progression(faits: int, total: int) -> None:
        travail_avancer(travail, avancement=faits, total=total, message=f"{faits} avis sur {total}")

    lot = lot_ecrire(calcul, settings.FICHIERS_DIR / "avis" / f"{annee}-{travail.pk}", archive=True,
                     progression=progression)
    return {
        "annee": annee, "calcul": calcul.pk, "dossier": str(lot.dossier), "zip": lot.archive.name,
        "echeancier": [f.name for f in lot.echeancier], "nb_avis": len(lot.avis), "octets": lot.octets,
        "date_emission": lot.date_emission.isoformat(), "duree": round(lot.duree, 1),
        "nb_versements": lot.totaux["nb_versements"], "versements": str(lot.totaux["versements"]),
        "nb_appels": lot.totaux["nb_appels"], "appels": str(lot.totaux["appels"]),
    }


# --- Reads for the pages: the files of the year's latest finished batch -------------------------------------------


def dernier_lot(annee: int) -> Travail | None:
    return (Travail.objects.filter(nature=NATURE, statut=StatutTravail.TERMINE, resultat__annee=annee)
            .order_by("-fin", "-pk").first())


def _fichier(annee: int, nom: str) -> Path | None:
    travail = dernier_lot(annee)
    if travail is None:
        return None
    chemin = Path(travail.resultat["dossier"]) / nom
    return chemin if chemin.is_file() else None


def fichier_avis(annee: int, siren: str) -> Path | None:
    """The PDF notice of one organism in the year's latest batch (scope checks are the caller's)."""
    return _fichier(annee, nom_fichier(annee, siren))


def fichier_zip(annee: int) -> Path | None:
    return _fichier(annee, f"avis-{annee}.zip")


def fichier_echeancier(annee: int, extension: str) -> Path | None:
    """The schedule (``csv`` or ``xlsx``) written with the year's latest batch of notices."""
    return _fichier(annee, f"echeancier-{annee}.{extension}")
