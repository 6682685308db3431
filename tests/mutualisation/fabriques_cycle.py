"""Rows and files behind the campaign-life pages' URLs, for the URL × role walker (tests/test_acces.py)."""

import tempfile
import zipfile
from pathlib import Path

from django.utils import timezone

from mutualisation.documents.avis import nom_fichier
from mutualisation.documents.lots import NATURE
from pacte.enums import StatutTravail
from pacte.models import Organisme, Travail
from tests.factories import CalculFactory

ANNEE = 2013
BAREME_MINIMAL = {"annee": ANNEE, "frais_gestion": "0", "poids_loyers": "0.5", "poids_cotisation_cglls": "0.25",
                  "poids_patrimoine": "0.25"}


def lot_avis_termine(annee: int = ANNEE, dossier: Path | None = None) -> Travail:
    """A finished notices job whose folder holds a (dummy) PDF for every organism, the schedule and the ZIP."""
    dossier = dossier or Path(tempfile.mkdtemp(prefix="pacte-test-avis-"))
    dossier.mkdir(parents=True, exist_ok=True)
    for siren in Organisme.objects.values_list("siren", flat=True):
        (dossier / nom_fichier(annee, siren)).write_bytes(b"%PDF-1.7\n% avis de test\n")
    (dossier / f"echeancier-{annee}.csv").write_text("reference;siren\n", encoding="utf-8")
    (dossier / f"echeancier-{annee}.xlsx").write_bytes(b"PK")
    with zipfile.ZipFile(dossier / f"avis-{annee}.zip", "w") as archive:
        archive.writestr("lisez-moi.txt", "test")
    return Travail.objects.create(nature=NATURE, parametres={"annee": annee}, statut=StatutTravail.TERMINE,
                                  fin=timezone.now(), resultat={"annee": annee, "dossier": str(dossier), "nb_avis": 1})


def calcul_valide_minimal(annee: int = ANNEE):
    """A validated run without result lines: enough for the bilan's page and PDF to be built."""
    return CalculFactory(campagne__annee=annee, valide=True, bareme=BAREME_MINIMAL,
                         totaux={"total_a_couvrir": "0", "frais_gestion": "0"})


def exemples_urls(cree) -> dict:
    lot = {"annee": cree(lambda: lot_avis_termine().resultat["annee"])}
    return {
        "mutualisation:avis-etat": {"pk": cree(lambda: lot_avis_termine().pk)},
        "mutualisation:avis-pdf": lot,
        "mutualisation:avis-zip": lot,
        "mutualisation:echeancier-csv": lot,
        "mutualisation:echeancier-xlsx": lot,
        "mutualisation:bilan-pdf": {"annee": cree(lambda: calcul_valide_minimal().campagne.annee)},
    }
