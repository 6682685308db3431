"""Every notice of the demo year 2013 (716 organisms) with the schedule, as the worker job writes them.

    .venv/bin/python bench/bench_avis.py [--rapide] [--processus N]

Anchor: the same WeasyPrint set-up (one font configuration and stylesheet per process, the same rendering processes)
rendering a trivial one-page PDF once per organism — what rendering costs before any content. Goal: all notices and
the schedule in under 60 s on the machine's cores. The CPU time per notice (this process and its rendering processes)
is reported too: on a shared machine it moves much less than the wall time. ``--rapide`` renders 30 notices spread
over the sizes, without the schedule (the demo is built all the same).
"""

import argparse
import io
import os
import resource
import tempfile
import time
from pathlib import Path

from _base import base_de_bench
from _table import afficher, ligne

BANC = "avis"
ANNEE = 2013
OBJECTIF = 60.0
RAPIDE = 30
TRIVIAL = ('<!DOCTYPE html><html lang="fr"><head><title>Ancre</title></head><body><h1>Avis</h1>'
           '<p>Montant : 1 234 567,89 €</p></body></html>')


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the rendering pools)."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                   resource.getrusage(resource.RUSAGE_CHILDREN)))


def _chrono(fonction, *arguments, **options) -> tuple[object, float, float]:
    """The result, the wall seconds and the CPU seconds of one call."""
    cpu, debut = _cpu(), time.perf_counter()
    resultat = fonction(*arguments, **options)
    return resultat, time.perf_counter() - debut, _cpu() - cpu


def preparer(dossier: Path):
    from django.core.management import call_command

    from mutualisation.services.campagne import calcul_executer, calcul_lancer

    call_command("charger_referentiels", stdout=io.StringIO())
    call_command("generer_demo", dossier=dossier / "demo", stdout=io.StringIO())
    return calcul_executer(calcul_lancer(acting_user=None, annee=ANNEE, sur_le_worker=False).pk)


def quelques_avis(calcul, dossier: Path, nombre: int, processus: int) -> int:
    """``nombre`` notices spread over the organisms sorted by size of explanation (small to the largest)."""
    from mutualisation.documents import avis, rendu

    contexte = avis.contexte_avis(calcul)
    resultats = sorted(avis.resultats_du_calcul(calcul), key=lambda r: len(str(r.explication)))
    choisis = [resultats[round(i * (len(resultats) - 1) / max(1, nombre - 1))] for i in range(nombre)]
    dossier.mkdir(parents=True)
    taches = [(dossier / avis.nom_fichier(ANNEE, r.organisme_id), avis.avis_html(r, contexte)) for r in choisis]
    return len(list(rendu.ecrire_pdfs(taches, processus=processus)))


def tous_les_avis(calcul, dossier: Path, processus: int) -> int:
    from mutualisation.documents.lots import lot_ecrire

    return len(lot_ecrire(calcul, dossier, processus=processus).avis)


def ancre(dossier: Path, nombre: int, processus: int) -> int:
    from mutualisation.documents import rendu

    dossier.mkdir()
    taches = [(dossier / f"{i}.pdf", TRIVIAL) for i in range(nombre)]
    return len(list(rendu.ecrire_pdfs(taches, processus=processus)))


def mesures(rapide: bool = False, processus: int | None = None) -> list[dict]:
    with base_de_bench("pacte_bench_avis"), tempfile.TemporaryDirectory(prefix="bench-avis-") as temporaire:
        from mutualisation.documents.rendu import processus_par_defaut

        dossier, processus = Path(temporaire), processus or processus_par_defaut()
        calcul = preparer(dossier)
        total = calcul.resultats.count()
        if rapide:
            nombre, duree, cpu = _chrono(quelques_avis, calcul, dossier / "avis", RAPIDE, processus)
        else:
            nombre, duree, cpu = _chrono(tous_les_avis, calcul, dossier / "avis", processus)
        _, duree_ancre, cpu_ancre = _chrono(ancre, dossier / "ancre", nombre, processus)
    nom_ancre = f"PDF trivial d'une page × {nombre} ({processus} processus)"
    if rapide:
        premiere = ligne(BANC, f"{nombre} avis sur {total} (mode rapide, sans échéancier), {processus} processus",
                         duree, "s", ancre=nom_ancre, valeur_ancre=duree_ancre)
    else:
        premiere = ligne(BANC, f"tous les avis ({nombre}) + échéancier, {processus} processus", duree, "s",
                         ancre=nom_ancre, valeur_ancre=duree_ancre, objectif=f"≤ {OBJECTIF:g} s",
                         atteint=duree <= OBJECTIF)
    return [
        premiere,
        ligne(BANC, "secondes par avis", duree / nombre, "s", ancre="PDF trivial d'une page",
              valeur_ancre=duree_ancre / nombre),
        ligne(BANC, "  dont CPU par avis (tous les processus)", cpu / nombre, "s CPU", ancre="PDF trivial d'une page",
              valeur_ancre=cpu_ancre / nombre),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rapide", action="store_true", help=f"{RAPIDE} avis seulement")
    parser.add_argument("--processus", type=int, default=None, help="processus de rendu (défaut : un par cœur)")
    options = parser.parse_args()
    charge = os.getloadavg()[0]
    print(afficher(mesures(options.rapide, options.processus),
                   f"Avis de mutualisation {ANNEE} du jeu de démonstration (WeasyPrint, PDF/UA balisé, Marianne)"))
    print(f"\n{len(os.sched_getaffinity(0))} cœurs, charge moyenne de la machine au départ {charge:.1f}.")


if __name__ == "__main__":
    main()
