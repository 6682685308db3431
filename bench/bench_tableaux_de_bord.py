"""Latency of the follow-up dashboards under concurrent load, against a trivial page of the same server.

A scratch database gets the referentials and the demo data (``generer_demo``; when it carries no agréments yet,
agréments, réhabilitations and objectifs calibrated on the published 2013–2015 national figures are written here),
and a mutualisation run for the year. gunicorn (from the venv) then serves the application on a free port, and
20 threads — each a signed-in committee member — request the pages with ``http.client``.

Goal: national dashboard p95 within 3× the trivial page (``/sante/``) at 20 concurrent users.
Usage: .venv/bin/python bench/bench_tableaux_de_bord.py [--requetes 1200] [--utilisateurs 20] [--workers 4] [--tours 3]
"""

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from _base import RACINE, base_de_bench, tableau

ANNEE = 2014
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


def _pages() -> list[tuple[str, str]]:
    return [("page triviale /sante/", "/sante/"), ("tableau national", f"/suivi/national/?annee={ANNEE}"),
            ("région Île-de-France", f"/suivi/regions/11/?annee={ANNEE}"),
            ("département 75", f"/suivi/departements/75/?annee={ANNEE}")]


# --- Data ------------------------------------------------------------------------------------------------------------


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


def _suivi_calibre(alea: random.Random) -> None:
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
            volume = national * poids // total_poids
            cible = round(120_000 * poids / total_poids * alea.uniform(0.85, 1.35))
            objectifs.append(Objectif(annee=annee, region_id=region, objectif_production=cible,
                                      objectif_rehabilitation=round(100_000 * poids / total_poids),
                                      import_source=sources["objectifs"]))
            candidats = (hlm.get(region) or tous_hlm, autres.get(region) or tous_autres)
            agrements += _agrements(alea, annee, region, departements[region], candidats, volume,
                                    sources["agrements"])
            rehabilitations += _rehabilitations(alea, annee, region, departements[region], candidats,
                                                round(100_000 * poids / total_poids * alea.uniform(0.7, 1.1)),
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
    environnement = {**os.environ, "DATABASE_URL": url_de_la_base(), "CONN_MAX_AGE": "60", "DEBUG": "false"}
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


def latences(port: int, chemin: str, cookie: str, utilisateurs: int, nombre: int) -> tuple[list[float], float]:
    """``nombre`` requests by ``utilisateurs`` threads: each latency, and the wall time of the whole."""
    debut = time.perf_counter()
    with ThreadPoolExecutor(max_workers=utilisateurs) as pool:
        resultats = list(pool.map(lambda _: requete(port, chemin, cookie), range(nombre)))
    duree = time.perf_counter() - debut
    statuts = {s for s, _ in resultats}
    if statuts != {200}:
        raise RuntimeError(f"{chemin} : statuts {sorted(statuts)}")
    return [d for _, d in resultats], duree


def mesurer(port: int, cookie: str, utilisateurs: int, nombre: int, tours: int) -> list[tuple[str, dict]]:
    """Each page alone first (one user), then under load in ``tours`` rounds, the pages taking turns, so that a
    machine busy with something else weighs on every page alike."""
    pages = _pages()
    seul, premiere = {}, {}
    for _, chemin in pages:
        premiere[chemin] = requete(port, chemin, cookie)[1] * 1000  # computed: the cache is empty
        for _ in range(utilisateurs):  # warm-up: every worker has loaded its code, opened its connection, cached
            requete(port, chemin, cookie)
        seul[chemin] = statistics.median(requete(port, chemin, cookie)[1] for _ in range(30)) * 1000
    charges = {chemin: ([], 0.0) for _, chemin in pages}
    for _ in range(tours):
        for _, chemin in pages:
            mesures, duree = latences(port, chemin, cookie, utilisateurs, nombre // tours)
            charges[chemin] = (charges[chemin][0] + mesures, charges[chemin][1] + duree)
    resultat = []
    for nom, chemin in pages:
        mesures, duree = charges[chemin]
        mesures.sort()
        resultat.append((nom, {"premiere": premiere[chemin], "seul": seul[chemin],
                               "p50": statistics.median(mesures) * 1000,
                               "p95": mesures[int(0.95 * len(mesures)) - 1] * 1000, "debit": len(mesures) / duree}))
    return resultat


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requetes", type=int, default=1200, help="requêtes par page")
    parser.add_argument("--utilisateurs", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--tours", type=int, default=3, help="tours de mesure, les pages à tour de rôle")
    options = parser.parse_args()
    with base_de_bench("pacte_bench_tableaux"):
        donnees = peupler(random.Random(2013))
        print(f"Données : {donnees['origine']} ({donnees['duree_demo']:.0f} s) — "
              + ", ".join(f"{v:,} {k}".replace(",", " ") for k, v in volumes().items()))
        cookie = cookie_de_session()
        from django.db import connections

        connections.close_all()
        port = port_libre()
        serveur = demarrer_gunicorn(port, options.workers)
        try:
            mesures = mesurer(port, cookie, options.utilisateurs, options.requetes, options.tours)
        finally:
            serveur.terminate()
            serveur.wait(timeout=30)
    reference = mesures[0][1]["p95"]
    print(tableau(f"Latence sous charge : {options.utilisateurs} utilisateurs simultanés, {options.requetes} requêtes "
                  f"par page, gunicorn {options.workers} workers",
                  ["page", "1re requête ms", "seul p50 ms", "p50 ms", "p95 ms", "requêtes/s", "p95 / page triviale"],
                  [[nom, f"{m['premiere']:.0f}", f"{m['seul']:.1f}", f"{m['p50']:.1f}", f"{m['p95']:.1f}",
                    f"{m['debit']:.0f}", f"×{m['p95'] / reference:.1f}"] for nom, m in mesures]))
    rapport = mesures[1][1]["p95"] / reference
    print(f"\nObjectif : p95 du tableau national ≤ 3 × celui de la page triviale — obtenu ×{rapport:.1f} "
          f"({'atteint' if rapport <= 3 else 'NON atteint'}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
