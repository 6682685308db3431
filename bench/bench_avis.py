"""Every notice of the demo year 2013 (~716 organisms) with the schedule, as the worker job writes them.

Anchor: the same WeasyPrint set-up (one font configuration and stylesheet per process, same processes) rendering a
trivial one-page PDF once per organism — what rendering costs before any content. Goal: all notices under 60 s.
Usage: .venv/bin/python bench/bench_avis.py [--processus N]
"""

import argparse
import io
import os
import resource
import tempfile
import time
from pathlib import Path

from _base import base_de_bench, tableau

TRIVIAL = ('<!DOCTYPE html><html lang="fr"><head><title>Ancre</title></head><body><h1>Avis</h1>'
           '<p>Montant : 1 234 567,89 €</p></body></html>')


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the rendering pool)."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                   resource.getrusage(resource.RUSAGE_CHILDREN)))


def preparer(dossier: Path):
    from django.core.management import call_command

    from mutualisation.services.campagne import calcul_executer, calcul_lancer

    call_command("charger_referentiels", stdout=io.StringIO())
    call_command("generer_demo", dossier=dossier / "demo", stdout=io.StringIO())
    return calcul_executer(calcul_lancer(acting_user=None, annee=2013, sur_le_worker=False).pk)


def _ligne(libelle: str, documents: int, processus: int, duree: float, cpu: float, octets: int) -> list:
    return [libelle, documents, processus, f"{duree:.1f}", f"{documents / duree:.1f}", f"{cpu / documents * 1000:.0f}",
            f"{octets / 1e6:.1f}"]


def mesurer(processus: int) -> list[list]:
    from mutualisation.documents import rendu
    from mutualisation.documents.lots import lot_ecrire

    lignes = []
    with tempfile.TemporaryDirectory() as temporaire:
        dossier = Path(temporaire)
        calcul = preparer(dossier)
        nombre = calcul.resultats.count()
        cpu, debut = _cpu(), time.perf_counter()
        lot = lot_ecrire(calcul, dossier / "avis", processus=processus)
        duree = time.perf_counter() - debut
        lignes.append(_ligne("avis + échéancier", nombre, processus, duree, _cpu() - cpu, lot.octets))
        (dossier / "ancre").mkdir()
        taches = [(dossier / "ancre" / f"{i}.pdf", TRIVIAL) for i in range(nombre)]
        cpu, debut = _cpu(), time.perf_counter()
        ecrits = list(rendu.ecrire_pdfs(taches, processus=processus))
        lignes.append(_ligne("ancre : PDF trivial d'une page", nombre, processus, time.perf_counter() - debut,
                             _cpu() - cpu, sum(taille for _, taille in ecrits)))
    return lignes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--processus", type=int, default=None, help="processus de rendu (défaut : un par cœur)")
    arguments = parser.parse_args()
    charge = os.getloadavg()[0]
    with base_de_bench("pacte_bench_avis"):
        from mutualisation.documents.rendu import processus_par_defaut

        processus = arguments.processus or processus_par_defaut()
        lignes = mesurer(processus)
    print(tableau("Avis de mutualisation 2013 du jeu de démonstration (WeasyPrint, PDF/UA balisé, Marianne)",
                  ["rendu", "documents", "processus", "secondes", "documents/s", "CPU ms/document", "Mo écrits"],
                  lignes))
    duree = float(lignes[0][3])
    print(f"\n{len(os.sched_getaffinity(0))} cœurs, charge moyenne de la machine au départ {charge:.1f}. "
          f"Objectif : tous les avis en moins de 60 s — {'atteint' if duree < 60 else 'NON atteint'} ({duree:.0f} s).")


if __name__ == "__main__":
    main()
