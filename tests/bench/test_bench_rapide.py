"""The benchmark suite keeps running: `bench/tout.py --rapide` on small sizes, its one table and its CSV.

The figures themselves are not asserted (a shared machine makes them noise); what is asserted is that every
benchmark still builds its data, measures against its anchor and reports in the contract's shape.
"""

import importlib
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from pacte.env import url_postgres

RACINE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(RACINE / "bench"))

_table = importlib.import_module("_table")
tout = importlib.import_module("tout")

# Rapport and avis build the whole demo (minutes); their mesures() is checked to exist, not run here.
BANCS_LANCES = ["import", "lecture", "calcul", "tableaux_de_bord"]


def test_ligne_calcule_le_ratio_et_le_csv_garde_chaque_colonne(tmp_path):
    rangees = [_table.ligne("import", "import CSV", 40_000.0, "lignes/s", ancre="COPY", valeur_ancre=80_000.0,
                            objectif="≥ 0,5 × l'ancre", atteint=True),
               _table.ligne("calcul", "calcul", 2.5, "s", objectif="≤ 2 s", atteint=False),
               _table.ligne("calcul", "dont écriture", 0.4, "s")]
    chemin = _table.ecrire_csv(rangees, tmp_path / "r.csv")
    relu = _table.lire_csv(chemin)
    assert chemin.read_text(encoding="utf-8").splitlines()[0] == ",".join(_table.COLONNES)
    assert [(r["ratio"], r["atteint"]) for r in relu] == [("0.5", "oui"), ("", "non"), ("", "")]
    assert "×0,500" in _table.afficher(rangees)


def test_chaque_banc_expose_mesures():
    assert set(BANCS_LANCES) | {"rapport", "avis"} <= set(tout.bancs_disponibles())
    for nom in tout.bancs_disponibles():
        texte = (RACINE / "bench" / f"bench_{nom}.py").read_text(encoding="utf-8")
        assert "def mesures(rapide: bool = False" in texte, nom


def test_la_suite_rapide_imprime_un_tableau_et_ecrit_le_csv(tmp_path):
    base = dict(settings.DATABASES["default"], NAME="postgres")  # the benchmarks create their scratch databases
    chemin = tmp_path / "resultats.csv"
    sortie = subprocess.run(  # noqa: S603
        [sys.executable, str(RACINE / "bench" / "tout.py"), "--rapide", "--bancs", ",".join(BANCS_LANCES),
         "--csv", str(chemin)],
        cwd=RACINE, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "DATABASE_URL": url_postgres(base)},
    )
    assert sortie.returncode == 0, sortie.stdout[-3000:] + sortie.stderr[-3000:]
    rangees = _table.lire_csv(chemin)
    assert {r["banc"] for r in rangees} == {"import", "lecture", "calcul", "tableaux de bord"}
    # a value everywhere, but a latency when a page got no answer within the short run (then a failed goal or none)
    assert all(float(r["valeur"]) >= 0 for r in rangees if "aucune réponse" not in r["mesure"])
    assert {r["atteint"] for r in rangees} <= {"oui", "non", ""}
    par_mesure = {r["mesure"]: r for r in rangees}
    copie = par_mesure["import CSV 5\u202f000 lignes"]
    assert copie["ancre"].startswith("COPY") and float(copie["valeur_ancre"]) > 0 and copie["ratio"] != ""
    assert any(r["banc"] == "tableaux de bord" and r["ancre"].startswith("p95 de page triviale") for r in rangees)
    assert "| banc" in sortie.stdout and "Machine :" in sortie.stdout
