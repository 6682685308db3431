"""A full mutualisation run (load, compute, write) at national scale, ×10 and ×100, against PostgreSQL reading loans.

    .venv/bin/python bench/bench_calcul.py [--echelles 1,10,100] [--rapide]

National scale: ~600 bodies and 50 000 loans; ×100 is 60 000 bodies and 5 M loans, generated in SQL
(generate_series, seeded random()). Each scale runs in a child process with its own scratch database, so that its
peak resident memory (ru_maxrss) is its own. Anchor: the time for PostgreSQL merely to hand the same loans' needed
columns to Python (``COPY (SELECT …) TO STDOUT``, read and discarded). Per scale, three rounds of (anchor, run) on
the same data; the medians are compared.
Goals: ≤ 2 s at national scale; linear growth (a scale k costs at most 1.25 × k × the national run); the run within
3 × the anchor; memory bounded (docs/performances.md).
"""

import argparse
import contextlib
import json
import resource
import statistics
import subprocess
import sys
import time
from decimal import Decimal

from _base import RACINE, base_de_bench
from _table import afficher, ligne

from pacte.validators import siren_completer  # noqa: E402 - after _base has set sys.path

BANC = "calcul"
PRODUITS = ["PLUS"] * 30 + ["PLUS_FONCIER"] * 8 + ["PLAI"] * 15 + ["PLAI_FONCIER"] * 4 + ["PLS"] * 8 + ["PSLA"] * 3 \
    + ["PAM"] * 18 + ["ECO_PRET"] * 12 + ["AUTRE"] * 2
ZONES = ["1"] * 2 + ["1bis"] + ["2"] * 4 + ["3"] * 3
ECHELLES, ECHELLES_RAPIDES = [1, 10, 100], [0.1]
TOURS = 3  # rounds of (anchor, run) per scale; the medians are compared
PRETS_NATIONAUX, ORGANISMES_NATIONAUX = 50_000, 600
COLONNES_LUES = "numero_pret, numero_operation, siren, produit, date_signature, montant, nb_logements, zone"
CROISSANCE_MAX = 1.25
MEMOIRE_PAR_PRET_KO = 2.0  # « bounded »: RSS above the national run, per loan (docs/performances.md)

PRETS_SQL = """
INSERT INTO mutualisation_pret (numero_pret, numero_operation, siren, produit, date_signature, montant,
                                nb_logements, zone, code_commune)
SELECT 'P' || lpad(g.n::text, 9, '0'),
       CASE WHEN g.sans_operation THEN '' ELSE 'OP' || (g.n / 3) END,
       CASE WHEN g.sans_operation THEN s_libre.siren ELSE s_op.siren END,
       g.produit,
       make_date(CASE WHEN g.n %% 10 = 0 THEN 2012 ELSE 2013 END, 1 + (g.n %% 12)::int, 1 + (g.n %% 28)::int),
       round((1000 + random() * 4999000)::numeric, 2),
       1 + floor(random() * 60)::int,
       (%(zones)s::text[])[1 + ((g.n / 3) %% %(nb_zones)s)::int],
       ''
FROM (
    SELECT n, p.produit, p.produit IN ('PAM', 'ECO_PRET') AS sans_operation,
           floor(random() * %(organismes)s)::int AS libre
    FROM generate_series(0, %(prets)s - 1) AS n,
         LATERAL (SELECT (%(produits)s::text[])[1 + floor(random() * %(nb_produits)s)::int + 0 * n] AS produit) p
) g
JOIN bench_sirens s_op ON s_op.i = (g.n / 3) %% %(organismes)s
JOIN bench_sirens s_libre ON s_libre.i = g.libre
"""


def peupler(echelle: float) -> tuple[int, int]:
    """~600 × échelle organisms (COPY) and 50 000 × échelle loans (one INSERT … SELECT generate_series)."""
    from django.db import connection

    from mutualisation.models import Bareme
    from mutualisation.resumes import resumes_reconstruire
    from pacte.services import referentiels_charger

    referentiels_charger()
    Bareme.objects.filter(annee=2013).update(frais_gestion=Decimal("250000.00"))
    familles = ["OPH"] * 274 + ["ESH"] * 274 + ["COOP"] * 40 + ["SEM"] * 12
    nombre, prets = round(ORGANISMES_NATIONAUX * echelle), round(PRETS_NATIONAUX * echelle)
    sirens = [siren_completer(f"{10_000_000 + i:08d}") for i in range(nombre)]
    with connection.cursor() as curseur:
        curseur.execute("SELECT setseed(0.2013)")
        with curseur.copy("COPY pacte_organisme (siren, raison_sociale, famille, region_id, metropole, created_at, "
                          "updated_at) FROM STDIN") as copie:
            for i, siren in enumerate(sirens):
                copie.write_row((siren, f"Organisme {i}", familles[i % 600], "11", True, "2013-01-01", "2013-01-01"))
        curseur.execute("""
            INSERT INTO mutualisation_baseannuelle (organisme_id, annee, patrimoine_locatif, loyers, logements,
                                                    cotisation_cglls, plan_cglls)
            SELECT siren, 2013, l, l * 4600 + floor(random() * 100) / 100, l, l * 70,
                   CASE WHEN i % 150 = 7 THEN 'CONSOLIDATION' ELSE 'AUCUN' END
            FROM (SELECT siren, row_number() OVER (ORDER BY siren) - 1 AS i, 200 + floor(random() * 29800)::int AS l
                  FROM pacte_organisme) o""")
        curseur.execute("CREATE TEMPORARY TABLE bench_sirens (i integer PRIMARY KEY, siren text)")
        with curseur.copy("COPY bench_sirens FROM STDIN") as copie:
            for i, siren in enumerate(sirens):
                copie.write_row((i, siren))
        with table_nue(curseur, "mutualisation_pret"):
            curseur.execute(PRETS_SQL, {"zones": ZONES, "nb_zones": len(ZONES), "organismes": nombre,
                                        "prets": prets, "produits": PRODUITS, "nb_produits": len(PRODUITS)})
        resumes_reconstruire(curseur)  # the loans' digests, which their triggers keep, were switched off with them
        curseur.execute("VACUUM ANALYZE mutualisation_pret")
    return nombre, prets


@contextlib.contextmanager
def table_nue(curseur, table: str):
    """Bulk load into a scratch database's table: unlogged, without its triggers (the year's freeze check runs a
    query per row; the generated rows are valid; what the triggers keep, the caller rebuilds) nor its secondary
    indexes, rebuilt once at the end."""
    curseur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                    "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)", [table, table])
    index = curseur.fetchall()
    curseur.execute(f"ALTER TABLE {table} SET UNLOGGED")
    curseur.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    for nom, _ in index:
        curseur.execute(f'DROP INDEX "{nom}"')
    yield
    curseur.execute("SET maintenance_work_mem = '256MB'")
    for _, definition in index:
        curseur.execute(definition)
    curseur.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")


def lecture_postgresql() -> float:
    """The anchor: PostgreSQL hands the loans' needed columns to this process, which discards them."""
    from django.db import connection

    debut = time.perf_counter()
    with connection.cursor() as curseur, curseur.copy(
        f"COPY (SELECT {COLONNES_LUES} FROM mutualisation_pret) TO STDOUT"
    ) as copie:
        for _ in copie:
            pass
    return time.perf_counter() - debut


def echelle_dans_ce_processus(echelle: float, tours: int = TOURS) -> dict:
    """``tours`` rounds of (the anchor, a full run) on the same data; the medians of each figure. One run on this
    shared machine varies by ±30 % from one minute to the next, the anchor as much (docs/performances.md)."""
    with base_de_bench(f"pacte_bench_calcul_{str(echelle).replace('.', '_')}"):
        from mutualisation.services.campagne import calcul_executer, calcul_lancer

        debut = time.perf_counter()
        organismes, prets = peupler(echelle)
        generation = time.perf_counter() - debut
        mesures_ = []
        for _ in range(tours):
            lecture = min(lecture_postgresql() for _ in range(2))  # the second one reads a warm cache, as the run does
            debut = time.perf_counter()
            calcul = calcul_executer(calcul_lancer(acting_user=None, annee=2013, sur_le_worker=False).pk)
            total = time.perf_counter() - debut
            assert calcul.statut == "termine", calcul.message  # noqa: S101 - a failed run measures nothing
            mesures_.append({"total": total, "lecture": lecture,
                             **{nom: calcul.durees[nom] for nom in ("chargement", "calcul", "ecriture")}})
    ratios = sorted(m["total"] / m["lecture"] for m in mesures_)
    return {"echelle": echelle, "organismes": organismes, "prets": prets, "generation": generation, "tours": tours,
            **{nom: statistics.median(m[nom] for m in mesures_) for nom in mesures_[0]},
            "ratio_min": ratios[0], "ratio_max": ratios[-1],
            "rss_mo": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def echelle_dans_un_enfant(echelle: float) -> dict:
    sortie = subprocess.run([sys.executable, __file__, "--enfant", str(echelle)], cwd=RACINE,  # noqa: S603
                            capture_output=True, text=True, check=False)
    if sortie.returncode:
        raise RuntimeError(f"échelle ×{echelle} : {sortie.stderr.strip()[-2000:]}")
    return json.loads(sortie.stdout.strip().splitlines()[-1])


def _nom(m: dict) -> str:
    echelle = f"×{m['echelle']:g}".replace(".", ",")
    return echelle + f" ({m['organismes']:,} organismes, {m['prets']:,} prêts)".replace(",", "\u202f")


def rangees(resultats: list[dict]) -> list[dict]:
    base = resultats[0]
    lignes = []
    for m in resultats:
        nom, facteur = _nom(m), m["echelle"] / base["echelle"]
        if m is base:
            lignes.append(ligne(BANC, f"calcul complet {nom}", m["total"], "s", objectif="≤ 2 s à l'échelle nationale",
                                atteint=m["total"] <= 2 if m["echelle"] == 1 else None))
        else:
            lignes.append(ligne(BANC, f"calcul complet {nom}", m["total"], "s",
                                ancre=f"×{facteur:g} le temps ×{base['echelle']:g} (linéaire)".replace(".", ","),
                                valeur_ancre=base["total"] * facteur,
                                objectif=f"≤ {CROISSANCE_MAX:g} × l'ancre".replace(".", ","),
                                atteint=m["total"] <= CROISSANCE_MAX * base["total"] * facteur))
        par_tour = ""
        if m["tours"] > 1:
            par_tour = f", médianes de {m['tours']} tours ; ratio par tour {m['ratio_min']:.2f} à {m['ratio_max']:.2f}"
        lignes.append(ligne(BANC, f"calcul complet {nom} contre la lecture des prêts{par_tour.replace('.', ',')}",
                            m["total"], "s",
                            ancre="PostgreSQL lit les mêmes prêts (COPY (SELECT …) TO STDOUT)",
                            valeur_ancre=m["lecture"], objectif="≤ 3 × l'ancre",
                            atteint=m["total"] <= 3 * m["lecture"]))
        lignes.append(ligne(BANC, f"débit {nom}", m["prets"] / m["total"], "prêts/s",
                            ancre="débit de la lecture des mêmes prêts", valeur_ancre=m["prets"] / m["lecture"]))
        lignes.append(ligne(BANC, f"  dont chargement {nom}", m["chargement"], "s",
                            ancre="PostgreSQL lit les mêmes prêts", valeur_ancre=m["lecture"]))
        lignes.append(ligne(BANC, f"  dont calcul {nom}", m["calcul"], "s"))
        lignes.append(ligne(BANC, f"  dont écriture {nom}", m["ecriture"], "s"))
        lignes.append(ligne(BANC, f"génération du jeu {nom} (hors mesure)", m["generation"], "s"))
        borne = base["rss_mo"] + MEMOIRE_PAR_PRET_KO * (m["prets"] - base["prets"]) / 1024
        lignes.append(ligne(BANC, f"mémoire résidente maximale {nom}", m["rss_mo"], "Mo",
                            ancre="mémoire de la plus petite échelle", valeur_ancre=base["rss_mo"],
                            objectif=f"≤ ancre + {MEMOIRE_PAR_PRET_KO:g} Ko par prêt en plus",
                            atteint=m["rss_mo"] <= borne))
    return lignes


def mesures(rapide: bool = False, echelles: list[float] | None = None) -> list[dict]:
    echelles = echelles or (ECHELLES_RAPIDES if rapide else ECHELLES)
    return rangees([echelle_dans_un_enfant(e) for e in echelles])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--echelles", help="échelles séparées par des virgules (défaut 1,10,100)")
    parser.add_argument("--rapide", action="store_true")
    parser.add_argument("--enfant", type=float, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.enfant is not None:
        print(json.dumps(echelle_dans_ce_processus(options.enfant)))
        return
    echelles = [float(e) for e in options.echelles.split(",")] if options.echelles else None
    print(afficher(mesures(options.rapide, echelles),
                   "Calcul complet de la mutualisation 2013 (chargement, calcul, écriture)"))


if __name__ == "__main__":
    main()
