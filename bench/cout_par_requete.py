"""Cost of one request of each page of the dashboards bench, cache warm: SQL queries and CPU time.

Not a bench of the suite (no ``mesures()``; ``tout.py`` only runs ``bench_*.py``): a diagnostic that explains the
wrk figures of ``bench_tableaux_de_bord.py`` with counters that do not depend on the load of a shared machine.
The small data set of the bench's ``rapide`` mode, the bench server's settings (bench/reglages_banc.py, DEBUG off),
Django's test client, one signed-in member of the committee. Each page is requested once (cache filled), then
``--requetes`` times, the pages taking turns: median CPU time of this process (``time.process_time``: the database
and Redis servers are other processes) and median wall time, SQL queries of one request (``CaptureQueriesContext``),
size of the answer. ``--avant`` adds the results page and API as they found their run before (_comme_avant).
``--profil PAGE`` prints cProfile's heaviest functions for that page (index in the table, from 0).

Usage: .venv/bin/python bench/cout_par_requete.py [--requetes 200] [--avant] [--sql] [--profil 3]
"""

import argparse
import contextlib
import os
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reglages_banc")
os.environ.setdefault("DEBUG", "false")

from _base import base_de_bench  # noqa: E402

AVANT = " (avant)"


def _premiere(client, chemin: str) -> dict:
    """The page requested once (cache filled), then once more with its queries captured."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    premiere = client.get(chemin, HTTP_HOST="localhost")
    if premiere.status_code != 200:
        raise RuntimeError(f"{chemin} : statut {premiere.status_code}")
    with CaptureQueriesContext(connection) as capture:
        reponse = client.get(chemin, HTTP_HOST="localhost")
    sql = [q["sql"] for q in capture.captured_queries]  # read now: the next requests reset the connection's log
    return {"requetes_sql": len(sql), "sql": sql, "octets": len(reponse.content), "cpu": [], "mur": []}


def _comme_avant():
    """The results page and API as they found their run before « le coût par requête (suite) »: its whole row
    (selectors.dernier_calcul) on every request, the key made from it."""
    from unittest import mock

    from mutualisation import selectors

    pile = contextlib.ExitStack()
    pile.enter_context(mock.patch.object(selectors, "version_du_dernier_calcul", selectors.dernier_calcul))
    pile.enter_context(mock.patch.object(selectors, "calcul_de_la_version", lambda calcul: calcul))
    return pile


def _mesurer(client, pages: list[tuple[str, str]], requetes: int) -> dict:
    """Each page requested ``requetes`` times, the pages taking turns: a busy moment of the machine weighs on all.
    A page whose name ends with AVANT is requested as the code found its run before (_comme_avant)."""
    mesures = {}
    for nom, chemin in pages:
        with _comme_avant() if nom.endswith(AVANT) else contextlib.nullcontext():
            mesures[nom] = _premiere(client, chemin)
    for _ in range(requetes):
        for nom, chemin in pages:
            with _comme_avant() if nom.endswith(AVANT) else contextlib.nullcontext():
                debut_cpu, debut_mur = time.process_time(), time.perf_counter()
                client.get(chemin, HTTP_HOST="localhost")
                mesures[nom]["cpu"].append(time.process_time() - debut_cpu)
                mesures[nom]["mur"].append(time.perf_counter() - debut_mur)
    for m in mesures.values():
        m["cpu_ms"], m["mur_ms"] = statistics.median(m["cpu"]) * 1000, statistics.median(m["mur"]) * 1000
    return mesures


def _profiler(client, chemin: str, requetes: int) -> None:
    import cProfile
    import pstats

    client.get(chemin, HTTP_HOST="localhost")
    profil = cProfile.Profile(time.process_time)  # CPU, not the waits on the database
    profil.enable()
    for _ in range(requetes):
        client.get(chemin, HTTP_HOST="localhost")
    profil.disable()
    pstats.Stats(profil).sort_stats("cumulative").print_stats(45)
    pstats.Stats(profil).sort_stats("tottime").print_stats(25)
    pstats.Stats(profil).sort_stats("cumulative").print_callees(r"views.*\.py.*\(get\)|api.py.*\(list\)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requetes", type=int, default=200)
    parser.add_argument("--profil", type=int, help="index of the page to profile")
    parser.add_argument("--sql", action="store_true", help="print each page's queries")
    parser.add_argument("--avant", action="store_true", help="results and API also as they were before (_comme_avant)")
    options = parser.parse_args()
    from bench_tableaux_de_bord import ANNEE_RAPIDE, _pages, cookie_de_session, peupler_rapide

    with base_de_bench("pacte_bench_cout"):
        peupler_rapide(random.Random(2013))
        cookie_de_session()
        from django.test import Client

        from pacte.models import Utilisateur

        client = Client()
        client.force_login(Utilisateur.objects.get(username="banc-comite"))
        pages = _pages(ANNEE_RAPIDE)
        if options.avant:
            pages += [(nom + AVANT, chemin) for nom, chemin in pages[3:]]
        if options.profil is not None:
            _profiler(client, pages[options.profil][1], options.requetes)
            return 0
        mesures = _mesurer(client, pages, options.requetes)
    ancre, national = mesures[pages[0][0]], mesures[pages[1][0]]
    print(f"{'page':32} {'SQL':>4} {'CPU ms':>7} {'/sante':>7} {'/national':>9} {'mur ms':>7} {'octets':>8}")
    for nom, m in mesures.items():
        print(f"{nom:32} {m['requetes_sql']:>4} {m['cpu_ms']:>7.2f} {m['cpu_ms'] / ancre['cpu_ms']:>7.2f} "
              f"{m['cpu_ms'] / national['cpu_ms']:>9.2f} {m['mur_ms']:>7.2f} {m['octets']:>8}")
        if options.sql:
            print("\n".join(f"    {sql[:300]}" for sql in m["sql"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
