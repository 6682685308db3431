"""Latency of the dashboards under concurrent load (wrk), against a trivial page of the same server.

A scratch database gets the referentials and the demo data (``generer_demo``; when it carries no agréments yet,
agréments, réhabilitations and objectifs calibrated on the published 2013–2015 national figures are written here),
and a mutualisation run for the year; in ``rapide`` mode, a small generated set instead. gunicorn (from the venv,
4 workers, bench/reglages_banc.py: no API throttle) then serves the application on a free port, and wrk
(bench/wrk_mesures.lua: session cookie, p50/p95/p99, non-2xx count) loads each page for 60 s at 20 then 100 concurrent
connections, in 3 rounds of 20 s where the pages take turns (1 s and one round in ``rapide`` mode).

Goals: every page's p95 within 3× the trivial page's (``/sante/``) at 20 connections; no error at 100.
Usage: .venv/bin/python bench/bench_tableaux_de_bord.py [--duree 60] [--connexions 20,100] [--workers 4] [--rapide]
"""


import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time

from _base import RACINE, base_de_bench
from _table import afficher, ligne

BANC = "tableaux de bord"
ANNEE, ANNEE_RAPIDE = 2014, 2013
SCRIPT_WRK = RACINE / "bench" / "wrk_mesures.lua"
TRIVIALE = "page triviale /sante/"
TOURS = 3  # rounds per level in full mode (mesurer)
# Published figures: new social rental dwellings financed in metropolitan France outside ANRU, and 2014 by region
# where known (issue 5); the other regions are weighted by their usual share.
NATIONAL = {2013: 117_065, 2014: 106_414, 2015: 108_921}
POIDS_REGIONS = {
    "11": 27_670, "93": 8_275, "91": 5_658, "52": 6_555, "31": 6_936, "41": 3_098, "23": 2_575, "83": 1_958,
    "22": 2_004, "25": 1_606, "54": 1_648, "43": 521, "74": 324, "94": 365, "82": 12_000, "72": 7_000,
    "73": 6_300, "24": 3_000, "21": 1_700, "26": 1_800, "42": 3_000, "53": 4_500,
}
PRODUITS = [("PLUS", 468), ("PLAI", 254), ("PLS", 278)]  # per mille, 2013
NATURES = ["NEUF"] * 5 + ["VEFA"] * 3 + ["ACQUISITION_AMELIORATION"] * 2
ETIQUETTES = "ABCDEFG"


def _pages(annee: int) -> list[tuple[str, str]]:
    return [(TRIVIALE, "/sante/"), ("tableau de bord national", f"/suivi/national/?annee={annee}"),
            ("région Île-de-France", f"/suivi/regions/11/?annee={annee}"),
            ("résultats de la mutualisation", f"/mutualisation/{annee}/resultats/"),
            ("API : liste des résultats", f"/api/v1/mutualisation/campagnes/{annee}/resultats/")]


# --- Data ------------------------------------------------------------------------------------------------------------


def peupler_rapide(alea: random.Random) -> dict:
    """A small set (60 organisms, 5 000 loans, a hundredth of the agréments): proves the bench runs, fast."""
    from bench_calcul import peupler as peupler_mutualisation
    from django.core.management import call_command

    from pacte.services import roles_synchroniser

    call_command("charger_referentiels", verbosity=0)
    roles_synchroniser()
    peupler_mutualisation(0.1)
    _suivi_calibre(alea, facteur=0.01)
    _calcul(ANNEE_RAPIDE)
    return {"origine": "jeu réduit du mode rapide", "duree_demo": 0.0}


def peupler(alea: random.Random) -> dict:
    from django.core.management import call_command

    from pacte.services import roles_synchroniser
    from suivi.models import Agrement

    call_command("charger_referentiels", verbosity=0)
    roles_synchroniser()
    debut = time.perf_counter()
    call_command("generer_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
    duree_demo = time.perf_counter() - debut
    origine = "generer_demo"
    if not Agrement.objects.exists():
        _suivi_calibre(alea)
        origine = "generer_demo (mutualisation) + agréments calibrés du banc"
    _calcul(ANNEE)
    return {"origine": origine, "duree_demo": duree_demo}


def _suivi_calibre(alea: random.Random, facteur: float = 1.0) -> None:
    """Agréments, réhabilitations and targets for 2013–2015 at the published national volumes."""
    from mutualisation.models import ImportFichier
    from pacte.enums import FAMILLES_HLM
    from pacte.models import Departement, Organisme
    from suivi.models import Agrement, Objectif, Rehabilitation

    departements = {}
    for d in Departement.objects.filter(region__metropole=True):
        departements.setdefault(d.region_id, []).append(d.code)
    hlm, autres = {}, {}
    for siren, region, famille in Organisme.objects.filter(metropole=True).values_list("siren", "region", "famille"):
        (hlm if famille in FAMILLES_HLM else autres).setdefault(region, []).append(siren)
    tous_hlm = [s for liste in hlm.values() for s in liste]
    tous_autres = [s for liste in autres.values() for s in liste] or tous_hlm
    sources = {nature: ImportFichier.objects.create(
        type_fichier=nature, nom_fichier=f"{nature}-2013-2015.csv", empreinte=f"{i:064x}", chemin="",
        statut="importe") for i, nature in enumerate(("agrements", "rehabilitations", "objectifs"))}
    total_poids = sum(POIDS_REGIONS.values())
    agrements, rehabilitations, objectifs = [], [], []
    for annee, national in NATIONAL.items():
        objectifs.append(Objectif(annee=annee, region=None, objectif_production=120_000,
                                  objectif_rehabilitation=100_000, import_source=sources["objectifs"]))
        for region, poids in POIDS_REGIONS.items():
            volume = round(national * poids // total_poids * facteur)
            cible = round(120_000 * poids / total_poids * alea.uniform(0.85, 1.35))
            objectifs.append(Objectif(annee=annee, region_id=region, objectif_production=cible,
                                      objectif_rehabilitation=round(100_000 * poids / total_poids),
                                      import_source=sources["objectifs"]))
            candidats = (hlm.get(region) or tous_hlm, autres.get(region) or tous_autres)
            agrements += _agrements(alea, annee, region, departements[region], candidats, volume,
                                    sources["agrements"])
            rehabilitations += _rehabilitations(alea, annee, region, departements[region], candidats,
                                                round(100_000 * poids / total_poids * alea.uniform(0.7, 1.1)
                                                      * facteur),
                                                sources["rehabilitations"])
    Agrement.objects.bulk_create(agrements, batch_size=5000)
    Rehabilitation.objects.bulk_create(rehabilitations, batch_size=5000)
    Objectif.objects.bulk_create(objectifs)


def _agrements(alea, annee, region, departements, candidats, volume, source):
    from suivi.models import Agrement

    lignes, restant = [], volume
    while restant > 0:
        siren = alea.choice(candidats[0] if alea.random() < 0.86 else candidats[1])
        operation = f"{annee}-{region}-{len(lignes):05d}"
        departement, nature, anru = alea.choice(departements), alea.choice(NATURES), alea.random() < 0.08
        for produit, pour_mille in PRODUITS:
            logements = min(restant, max(1, round(alea.randint(10, 40) * pour_mille / 333)))
            lignes.append(Agrement(annee=annee, numero_operation=operation, produit=produit, region_id=region,
                                   departement_id=departement, siren=siren, organisme_id=siren,
                                   nb_logements=logements, nature=nature, anru=anru, import_source=source))
            if not anru:
                restant -= logements
            if restant <= 0:
                break
    return lignes


def _rehabilitations(alea, annee, region, departements, candidats, volume, source):
    from suivi.models import Rehabilitation

    lignes, restant = [], volume
    while restant > 0:
        siren = alea.choice(candidats[0] if alea.random() < 0.93 else candidats[1])
        avant = alea.choice("CDEEFFG")
        apres = ETIQUETTES[max(0, ETIQUETTES.index(avant) - alea.randint(1, 3))]
        logements = min(restant, alea.randint(10, 80))
        lignes.append(Rehabilitation(
            annee=annee, numero_operation=f"R{annee}-{region}-{len(lignes):05d}", region_id=region,
            departement_id=alea.choice(departements), siren=siren, organisme_id=siren, nb_logements=logements,
            etiquette_avant=avant, etiquette_apres=apres, eco_pret=alea.random() < 0.6, import_source=source))
        restant -= logements
    return lignes


def _calcul(annee: int) -> None:
    from mutualisation.services.campagne import calcul_executer, calcul_lancer

    calcul_executer(calcul_lancer(acting_user=None, annee=annee, sur_le_worker=False).pk)


def volumes() -> dict:
    from mutualisation.models import ResultatOrganisme
    from pacte.models import Organisme
    from suivi.models import Agrement, Objectif, Rehabilitation

    return {"organismes": Organisme.objects.count(), "agréments": Agrement.objects.count(),
            "réhabilitations": Rehabilitation.objects.count(), "objectifs": Objectif.objects.count(),
            "résultats de mutualisation": ResultatOrganisme.objects.count()}


def cookie_de_session() -> str:
    from django.contrib.auth.models import Group
    from django.test import Client

    from pacte.enums import Role
    from pacte.models import Utilisateur

    membre = Utilisateur.objects.create_user("banc-comite", role=Role.COMITE_SUIVI)
    membre.groups.set([Group.objects.get(name=Role.COMITE_SUIVI.label)])
    client = Client()
    client.force_login(membre)
    return f"sessionid={client.cookies['sessionid'].value}"


# --- Server and load -------------------------------------------------------------------------------------------------


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def url_de_la_base() -> str:
    from django.conf import settings

    base = settings.DATABASES["default"]
    identite = base["USER"] + (f":{base['PASSWORD']}" if base["PASSWORD"] else "")
    if base["HOST"].startswith("/"):
        return f"postgres://{identite}@/{base['NAME']}?host={base['HOST']}"
    return f"postgres://{identite}@{base['HOST']}:{base['PORT'] or 5432}/{base['NAME']}"


def demarrer_gunicorn(port: int, workers: int) -> subprocess.Popen:
    # bench/reglages_banc.py: the application's settings without the API's per-user quota (one user loads the API).
    chemins = os.pathsep.join(filter(None, [str(RACINE / "bench"), os.environ.get("PYTHONPATH", "")]))
    environnement = {**os.environ, "DATABASE_URL": url_de_la_base(), "CONN_MAX_AGE": "60", "DEBUG": "false",
                     "DJANGO_SETTINGS_MODULE": "reglages_banc", "PYTHONPATH": chemins}
    processus = subprocess.Popen(  # noqa: S603
        [str(RACINE / ".venv" / "bin" / "gunicorn"), "pacte.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=RACINE, env=environnement,
    )
    for _ in range(100):
        try:
            if requete(port, "/sante/", "")[0] == 200:
                return processus
        except OSError:
            time.sleep(0.2)
    processus.terminate()
    raise RuntimeError("gunicorn n'a pas démarré")


def requete(port: int, chemin: str, cookie: str) -> tuple[int, float]:
    debut = time.perf_counter()
    connexion = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connexion.request("GET", chemin, headers={"Cookie": cookie, "Host": "localhost"})
        reponse = connexion.getresponse()
        reponse.read()
        return reponse.status, time.perf_counter() - debut
    finally:
        connexion.close()


def wrk(port: int, chemin: str, cookie: str, connexions: int, duree: int) -> dict:
    """One wrk run: p50/p95/p99 in ms, requests, non-2xx answers and socket errors, as the Lua script prints."""
    commande = [shutil.which("wrk") or "wrk", "-t", str(min(2, connexions)), "-c", str(connexions), "-d", f"{duree}s",
                "--timeout", "30s", "-s", str(SCRIPT_WRK), "-H", f"Cookie: {cookie}", "-H", "Host: localhost",
                f"http://127.0.0.1:{port}{chemin}"]
    sortie = subprocess.run(commande, capture_output=True, text=True, check=True)  # noqa: S603
    resultat = json.loads(next(t for t in sortie.stdout.splitlines() if t.startswith("{")))
    repondu = resultat["requetes"] > 0  # no answer within the run: no latency to speak of, and a failure
    return {**{p: resultat[p] / 1000 if repondu else None for p in ("p50", "p95", "p99")},
            "requetes": resultat["requetes"],
            "erreurs": resultat["non2xx"] + resultat["erreurs_socket"],
            "debit": resultat["requetes"] / (resultat["duree_us"] / 1e6), "duree_s": resultat["duree_us"] / 1e6}


def mesurer(port: int, cookie: str, pages: list[tuple[str, str]], niveaux: list[int], duree: int,
            tours: int = 1) -> dict:
    """Each page warmed (every worker has loaded its code and filled its caches), then loaded at each level for
    ``duree`` seconds split in ``tours`` rounds, the pages taking turns in each round: the load others put on a
    shared machine then weighs on the anchor and on every page alike, instead of on whichever ran at a busy time."""
    for _, chemin in pages:
        statut = requete(port, chemin, cookie)[0]
        if statut != 200:
            raise RuntimeError(f"{chemin} : statut {statut} avant la charge")
        if duree > 5:
            wrk(port, chemin, cookie, 4, 2)
    par_tour: dict[tuple[str, int], list[dict]] = {}
    for n in niveaux:
        for _ in range(tours):
            for nom, chemin in pages:
                par_tour.setdefault((nom, n), []).append(wrk(port, chemin, cookie, n, max(1, duree // tours)))
    return {cle: cumul_des_tours(liste) for cle, liste in par_tour.items()}


def cumul_des_tours(tours: list[dict]) -> dict:
    """One page at one level over its rounds: the median of each round's percentiles, the sums of requests, errors
    and durations."""
    repondus = [t for t in tours if t["requetes"]]
    requetes, duree = sum(t["requetes"] for t in tours), sum(t["duree_s"] for t in tours)
    return {**{p: statistics.median(t[p] for t in repondus) if repondus else None for p in ("p50", "p95", "p99")},
            "requetes": requetes, "erreurs": sum(t["erreurs"] for t in tours), "debit": requetes / duree,
            "duree_s": duree}


def rangees(mesures_: dict, pages: list[tuple[str, str]], niveaux: list[int], duree: int,
            tours: int = 1) -> list[dict]:
    lignes = []
    for n in niveaux:
        ancre = mesures_[(TRIVIALE, n)]["p95"]
        for nom, _ in pages:
            m = mesures_[(nom, n)]
            charge = f"{n} connexions, {duree} s" + (f" en {tours} tours" if tours > 1 else "")
            premiere = n == niveaux[0]
            juge = premiere and nom != TRIVIALE
            details = f"p50 {m['p50']:.0f} ms, p99 {m['p99']:.0f} ms, " if m["requetes"] else "aucune réponse, "
            if m["requetes"] and tours > 1:
                details = "médianes des tours : " + details
            lignes.append(ligne(BANC, f"{nom} : p95 ({charge} ; {details}{m['debit']:.0f} req/s)", m["p95"], "ms",
                                ancre=f"p95 de {TRIVIALE}", valeur_ancre=ancre,
                                objectif="≤ 3 × l'ancre" if juge else "",
                                atteint=(m["p95"] is not None and ancre is not None and m["p95"] <= 3 * ancre)
                                if juge else None))
            lignes.append(ligne(BANC, f"{nom} : erreurs (réponses non 2xx et sockets, {charge})", m["erreurs"],
                                "réponses", objectif="0" if n == niveaux[-1] else "",
                                atteint=m["erreurs"] == 0 if n == niveaux[-1] else None))
    return lignes


def mesures(rapide: bool = False, duree: int | None = None, niveaux: list[int] | None = None,
            workers: int = 4) -> list[dict]:
    duree, niveaux = duree or (1 if rapide else 60), niveaux or [20, 100]
    tours = 1 if rapide else TOURS
    annee = ANNEE_RAPIDE if rapide else ANNEE
    pages = _pages(annee)
    with base_de_bench("pacte_bench_tableaux"):
        (peupler_rapide if rapide else peupler)(random.Random(2013))
        cookie = cookie_de_session()
        from django.db import connections

        connections.close_all()
        port = port_libre()
        serveur = demarrer_gunicorn(port, workers)
        try:
            resultats = mesurer(port, cookie, pages, niveaux, duree, tours)
        finally:
            serveur.terminate()
            serveur.wait(timeout=30)
    return rangees(resultats, pages, niveaux, duree, tours)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duree", type=int, help="secondes par page et par niveau (défaut 60, 1 en rapide)")
    parser.add_argument("--connexions", default="20,100")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rapide", action="store_true")
    options = parser.parse_args()
    niveaux = [int(n) for n in options.connexions.split(",")]
    print(afficher(mesures(options.rapide, options.duree, niveaux, options.workers),
                   f"Tableaux de bord sous charge (wrk, gunicorn {options.workers} workers)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
