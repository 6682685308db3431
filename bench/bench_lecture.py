"""Speed of lire_fichier + valider on a generated CDC loans extract (prets format).

    .venv/bin/python bench/bench_lecture.py [--lignes 200000] [--lignes-xlsx 20000]

Prints one row per case: rows, best wall time of 3 runs (and its CPU time, less sensitive to a busy
machine), rows per second. The XLSX is read twice: by the streaming reader (pacte.lecture.xlsx) and, for
reference in the same run, by the former path (openpyxl's read-only rows); its anchor is that former path.
"""

import argparse
import datetime as dt
import io
import random
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _table import afficher, ligne  # noqa: E402

from pacte.lecture import PRETS, lire_fichier, valider  # noqa: E402
from pacte.lecture import fichier as module_fichier  # noqa: E402
from pacte.lecture.xlsx.cellules import _texte_cellule  # noqa: E402
from pacte.lecture.xlsx.morceaux import _morceaux_feuille  # noqa: E402

BANC = "lecture"
DEBIT_CSV = 100_000  # 200 000 lines in under 2 s (docs/performances.md)

ENTETE = "numero_pret;numero_operation;siren;produit;date_signature;montant;nb_logements;zone;code_commune"
PRODUITS = ["PLUS", "PLUS_FONCIER", "PLAI", "PLAI_FONCIER", "PLS", "PSLA", "PAM", "ECO_PRET", "AUTRE"]


def siren(hasard: random.Random) -> str:
    while True:
        texte = f"{hasard.randrange(10**9):09d}"
        total = sum(int(c) if i % 2 == 0 else sum(divmod(int(c) * 2, 10)) for i, c in enumerate(texte[::-1]))
        if total % 10 == 0:
            return texte


def lignes_prets(nombre: int, francais: bool):
    """Loan lines: 800 borrowers, amounts « 1 234 567,89 » (francais) or « 1234567.89 »."""
    hasard = random.Random(2013)
    sirens = [siren(hasard) for _ in range(800)]
    for i in range(nombre):
        centimes = hasard.randrange(100, 10**11)
        euros, cents = divmod(centimes, 100)
        montant = f"{euros:,}".replace(",", " ") + f",{cents:02d}" if francais else f"{euros}.{cents:02d}"
        date = dt.date(2013, 1, 1) + dt.timedelta(days=hasard.randrange(1095))
        yield [
            f"P{i:07d}", f"OP{i // 3}", hasard.choice(sirens), hasard.choice(PRODUITS),
            date.strftime("%d/%m/%Y") if francais else date.isoformat(), montant,
            str(hasard.randint(1, 80)), hasard.choice(["1", "1bis", "2", "3"]), f"{hasard.randint(1001, 95999):05d}",
        ]


def csv(nombre: int, francais: bool) -> bytes:
    corps = "\n".join(";".join(ligne) for ligne in lignes_prets(nombre, francais))
    return ("\ufeff" + ENTETE + "\n" + corps + "\n").encode()


def xlsx(nombre: int) -> bytes:
    classeur = openpyxl.Workbook(write_only=True)
    feuille = classeur.create_sheet()
    feuille.append(ENTETE.split(";"))
    for valeurs in lignes_prets(nombre, francais=False):
        valeurs[5], valeurs[6] = float(valeurs[5]), int(valeurs[6])
        feuille.append(valeurs)
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def lire_xlsx_openpyxl(contenu: bytes, nom: str) -> pd.DataFrame:
    """The former XLSX path: openpyxl's read-only rows, each value through _texte_cellule, the same pieces."""
    classeur = openpyxl.load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
    feuille = classeur.worksheets[0]
    feuille.reset_dimensions()
    etat = {"compteur": 1, "largeur": None}

    def blocs():
        for numero, valeurs in enumerate(feuille.iter_rows(values_only=True), start=1):
            textes = [_texte_cellule(v) for v in valeurs]
            largeur = etat["largeur"] or len(textes)
            yield [numero], [[t] for t in (textes + [""] * largeur)[:largeur]]

    morceaux = list(_morceaux_feuille(blocs(), etat, module_fichier.LIGNES_PAR_MORCEAU))
    classeur.close()
    return pd.concat(morceaux)


def mesurer(contenu: bytes, nom: str, lire=lire_fichier) -> tuple[float, float, float, int]:
    """Best of 3: (wall for reading, wall for reading + validating, CPU of that run, rows)."""
    meilleur = None
    for _ in range(3):
        debut, cpu = time.perf_counter(), time.process_time()
        df = lire(contenu, nom)
        lu = time.perf_counter()
        resultat = valider(df, PRETS)
        mesure = (lu - debut, time.perf_counter() - debut, time.process_time() - cpu, len(resultat.donnees))
        assert resultat.ok, resultat.rapport(limite=5)
        meilleur = min(meilleur or mesure, mesure, key=lambda m: m[1])
    return meilleur


def mesures(rapide: bool = False, lignes: int | None = None, lignes_xlsx: int | None = None) -> list[dict]:
    """Reading + validation alone, no database: the pure share of an import."""
    lignes, lignes_xlsx = lignes or (5_000 if rapide else 200_000), lignes_xlsx or (1_000 if rapide else 20_000)
    classeur = xlsx(lignes_xlsx)
    cas = [
        ("CSV, montants 1234567.89", csv(lignes, francais=False), "prets.csv", lire_fichier),
        ("CSV, montants « 1 234 567,89 »", csv(lignes, francais=True), "prets.csv", lire_fichier),
        ("XLSX (openpyxl, l'ancien chemin)", classeur, "prets.xlsx", lire_xlsx_openpyxl),
        ("XLSX (lecteur en flux)", classeur, "prets.xlsx", lire_fichier),
    ]
    rangees, ancre = [], None
    for nom, contenu, fichier, lire in cas:
        _, total, cpu, n = mesurer(contenu, fichier, lire)
        est_csv = fichier.endswith(".csv") and not rapide  # a few thousand lines measure the fixed costs
        taille, temps = f"{n:,}".replace(",", "\u202f"), f"{cpu:.2f}".replace(".", ",")
        mesure = f"lecture + validation {nom}, {taille} lignes (CPU {temps} s)"
        if lire is lire_xlsx_openpyxl:
            ancre = (nom, n / total, n / cpu)
        if lire is lire_fichier and fichier.endswith(".xlsx"):
            # Against the former path in this run; the CPU ratio says the same with less noise.
            mesure += f", CPU ×{(n / cpu) / ancre[2]:.1f} l'ancien".replace(".", ",")
            rangees.append(ligne(BANC, mesure, n / total, "lignes/s", ancre=ancre[0], valeur_ancre=ancre[1]))
            continue
        rangees.append(ligne(BANC, mesure, n / total, "lignes/s",
                             objectif=f"≥ {DEBIT_CSV:,} lignes/s".replace(",", "\u202f") if est_csv else "",
                             atteint=n / total >= DEBIT_CSV if est_csv else None))
    return rangees


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lignes", type=int, default=200_000)
    parser.add_argument("--lignes-xlsx", type=int, default=20_000)
    parser.add_argument("--rapide", action="store_true")
    options = parser.parse_args()
    print(afficher(mesures(options.rapide, options.lignes if not options.rapide else None,
                           options.lignes_xlsx if not options.rapide else None), "Lecture et validation seules"))


if __name__ == "__main__":
    main()
