"""Every benchmark of bench/, one table, one CSV.

    .venv/bin/python bench/tout.py [--rapide] [--bancs import,calcul] [--csv var/bench/resultats.csv] [--docs]

Each ``bench/bench_*.py`` runs in a process of its own (its scratch database, its own peak memory), through its
``mesures(rapide)`` function; its rows come back as JSON. A benchmark that fails gives one row saying so, and the
exit status is 1. ``--docs`` also copies the CSV to docs/bench-derniers-resultats.csv (what ``make bench`` commits).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOSSIER = Path(__file__).resolve().parent
RACINE = DOSSIER.parent
sys.path.insert(0, str(DOSSIER))

from _table import afficher, ecrire_csv, ligne  # noqa: E402

ORDRE = ["import", "lecture", "calcul", "rapport", "avis", "tableaux_de_bord"]
CSV = RACINE / "var" / "bench" / "resultats.csv"
CSV_DOCS = RACINE / "docs" / "bench-derniers-resultats.csv"


def bancs_disponibles() -> list[str]:
    noms = [p.stem.removeprefix("bench_") for p in sorted(DOSSIER.glob("bench_*.py"))]
    return sorted(noms, key=lambda n: (ORDRE.index(n) if n in ORDRE else len(ORDRE), n))


def executer_un(nom: str, rapide: bool, sortie: Path) -> None:
    """In the child process: import the benchmark, call mesures(), write its rows as JSON."""
    module = importlib.import_module(f"bench_{nom}")
    if not hasattr(module, "mesures"):
        rangees = [ligne(nom, "non mesuré : le script n'expose pas mesures()", None, "")]
    else:
        rangees = module.mesures(rapide=rapide)
    sortie.write_text(json.dumps(rangees, default=str), encoding="utf-8")


def lancer(nom: str, rapide: bool) -> tuple[list[dict], float, bool]:
    """Run one benchmark in a child process: its rows, its wall time, and whether it succeeded."""
    with tempfile.TemporaryDirectory(prefix="bench-") as dossier:
        sortie = Path(dossier) / "mesures.json"
        commande = [sys.executable, str(Path(__file__)), "--un", nom, "--sortie", str(sortie)]
        debut = time.perf_counter()
        processus = subprocess.run(commande + (["--rapide"] if rapide else []), cwd=RACINE,  # noqa: S603
                                   stderr=subprocess.PIPE, text=True, check=False)
        duree = time.perf_counter() - debut
        if processus.returncode == 0 and sortie.exists():
            return json.loads(sortie.read_text(encoding="utf-8")), duree, True
    sys.stderr.write(processus.stderr)
    derniere = (processus.stderr.strip().splitlines() or ["sans message"])[-1][:200]
    return [ligne(nom, f"échec du banc : {derniere}", None, "", atteint=False)], duree, False


def machine() -> str:
    """CPU model, cores, memory and load: printed with the table (the README shows it)."""
    modele = "inconnu"
    for texte in Path("/proc/cpuinfo").read_text().splitlines():
        if texte.startswith("model name"):
            modele = texte.split(":", 1)[1].strip()
            break
    memoire = next((int(t.split()[1]) for t in Path("/proc/meminfo").read_text().splitlines()
                    if t.startswith("MemTotal")), 0)
    charge = " ; ".join(f"{c:.2f}" for c in os.getloadavg())
    return (f"{modele}, {len(os.sched_getaffinity(0))} cœurs, {memoire / 1024 / 1024:.0f} Go de mémoire, "
            f"charge moyenne (1, 5, 15 min) {charge}")


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rapide", action="store_true", help="petites tailles : vérifie que la suite tourne")
    parser.add_argument("--bancs", help="liste séparée par des virgules (défaut : tous)")
    parser.add_argument("--csv", type=Path, default=CSV)
    parser.add_argument("--docs", action="store_true", help=f"copie aussi le CSV dans {CSV_DOCS.relative_to(RACINE)}")
    parser.add_argument("--un", help=argparse.SUPPRESS)
    parser.add_argument("--sortie", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args(arguments)
    if options.un:
        executer_un(options.un, options.rapide, options.sortie)
        return 0
    bancs = options.bancs.split(",") if options.bancs else bancs_disponibles()
    avant = machine()
    rangees, succes = [], True
    for nom in bancs:
        print(f"… banc {nom}", file=sys.stderr, flush=True)
        resultat, duree, ok = lancer(nom, options.rapide)
        print(f"    {duree:.0f} s", file=sys.stderr, flush=True)
        rangees += resultat
        succes &= ok
    print(f"Machine : {avant}{' (mode rapide)' if options.rapide else ''}\n")
    print(afficher(rangees))
    ecrire_csv(rangees, options.csv)
    print(f"\nCSV : {options.csv}")
    if options.docs:
        ecrire_csv(rangees, CSV_DOCS)
        print(f"Copie : {CSV_DOCS.relative_to(RACINE)}")
    return 0 if succes else 1


if __name__ == "__main__":
    sys.exit(main())
