"""A full mutualisation run (load, compute, write) at national scale and at ten times that.

Anchor: the national scale itself (~550 bodies, ~50 000 loans; goal ≤ 2 s) and linear growth at 10× (goal ≤ 20 s).
Usage: .venv/bin/python bench/bench_calcul.py [--echelles 1,10]
"""

import argparse
import random
from datetime import date
from decimal import Decimal

from _base import base_de_bench, chrono, memoire_max_mo, tableau

from pacte.validators import siren_completer  # noqa: E402 - after _base has set sys.path

PRODUITS = ["PLUS"] * 30 + ["PLUS_FONCIER"] * 8 + ["PLAI"] * 15 + ["PLAI_FONCIER"] * 4 + ["PLS"] * 8 + ["PSLA"] * 3 \
    + ["PAM"] * 18 + ["ECO_PRET"] * 12 + ["AUTRE"] * 2
ZONES = ["1"] * 2 + ["1bis"] + ["2"] * 4 + ["3"] * 3


def _siren(graine: int) -> str:
    return siren_completer(f"{graine:08d}")


def peupler(echelle: int, alea: random.Random) -> tuple[int, int]:
    """~550 × échelle organisms and ~50 000 × échelle loans, written with COPY."""
    from django.db import connection

    from mutualisation.models import Bareme
    from pacte.services import referentiels_charger

    referentiels_charger()
    Bareme.objects.filter(annee=2013).update(frais_gestion=Decimal("250000.00"))
    familles = ["OPH"] * 274 + ["ESH"] * 274 + ["COOP"] * 40 + ["SEM"] * 12
    sirens = [_siren(10_000_000 + i) for i in range(600 * echelle)]
    with connection.cursor() as curseur:
        with curseur.copy("COPY pacte_organisme (siren, raison_sociale, famille, region_id, metropole, created_at, "
                          "updated_at) FROM STDIN") as copie:
            for i, siren in enumerate(sirens):
                copie.write_row((siren, f"Organisme {i}", familles[i % 600], "11", True, "2013-01-01", "2013-01-01"))
        with curseur.copy("COPY mutualisation_baseannuelle (organisme_id, annee, patrimoine_locatif, loyers, "
                          "logements, cotisation_cglls, plan_cglls) FROM STDIN") as copie:
            for i, siren in enumerate(sirens):
                logements = alea.randint(200, 30_000)
                plan = "CONSOLIDATION" if i % 150 == 7 else "AUCUN"
                loyers = Decimal(logements * 4_600) + Decimal(alea.randint(0, 99)) / 100
                copie.write_row((siren, 2013, logements, loyers, logements, Decimal(logements * 70), plan))
        prets = 0
        with curseur.copy("COPY mutualisation_pret (numero_pret, numero_operation, siren, produit, date_signature, "
                          "montant, nb_logements, zone, code_commune) FROM STDIN") as copie:
            for n in range(50_000 * echelle):
                siren = sirens[alea.randrange(len(sirens))]
                produit = alea.choice(PRODUITS)
                operation = f"OP{n // 3}" if produit not in ("PAM", "ECO_PRET") else ""
                zone = ZONES[(n // 3) % len(ZONES)]
                signature = date(2013 if n % 10 else 2012, 1 + n % 12, 1 + n % 28)
                copie.write_row((f"P{n:08d}", operation, sirens[(n // 3) % len(sirens)] if operation else siren,
                                 produit, signature, Decimal(alea.randint(1_000_00, 5_000_000_00)) / 100,
                                 alea.randint(1, 60), zone, ""))
                prets += 1
    return len(sirens), prets


def mesurer(echelle: int) -> list:
    from mutualisation.services.campagne import calcul_executer, calcul_lancer

    organismes, prets = peupler(echelle, random.Random(2013))
    calcul, duree = chrono(lambda: calcul_executer(calcul_lancer(acting_user=None, annee=2013,
                                                                 sur_le_worker=False).pk))
    d = calcul.durees
    return [f"×{echelle}", organismes, prets, calcul.totaux["nb_organismes"], f"{d['chargement']:.2f}",
            f"{d['calcul']:.2f}", f"{d['ecriture']:.2f}", f"{duree:.2f}", f"{memoire_max_mo():.0f}"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--echelles", default="1,10")
    echelles = [int(e) for e in parser.parse_args().echelles.split(",")]
    lignes = []
    for echelle in echelles:
        with base_de_bench(f"pacte_bench_calcul_{echelle}"):
            lignes.append(mesurer(echelle))
    print(tableau("Calcul complet de la mutualisation 2013 (chargement, calcul, écriture)",
                  ["échelle", "organismes", "prêts", "concernés", "chargement s", "calcul s", "écriture s",
                   "total s", "mémoire max Mo"], lignes))
    if len(lignes) > 1:
        base, grand = float(lignes[0][7]), float(lignes[-1][7])
        print(f"\nCroissance : ×{echelles[-1]} en volume → ×{grand / base:.1f} en temps "
              f"(objectifs : ≤ 2 s à l'échelle nationale, ≤ 20 s à ×10).")


if __name__ == "__main__":
    main()
