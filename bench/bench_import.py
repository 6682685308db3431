"""Import of a CDC loans extract (prets) against PostgreSQL's own COPY of the same file, in one run.

    .venv/bin/python bench/bench_import.py [--lignes 200000] [--sans-memoire]

Works in a scratch database on the application's server (created, migrated, then dropped) and a temporary
folder for the kept files: the application's database and var/ are left as they were. Measures:
  1. COPY of the raw file into a bare table of text columns (the anchor: what PostgreSQL alone does);
  2. the full import through import_soumettre (inline): read, validate, cross-check, COPY, upsert, audit;
  3. the re-import of a corrected extract whose lines all exist (a tenth of the amounts changed).
For context it also times reading + validating alone (pandas) and a COPY of the clean lines straight into the
loans table (its indexes and foreign key: the database's share of any import). Timings come from a first pass;
peak memory (tracemalloc: Python and numpy allocations) from a second pass, which tracing slows down.
Goal: the import at ≥ 50 % of COPY's rows per second. Both ratios are printed: against the bare-table anchor, and
against the COPY into the loans table (the « COPY 88 000 rows/s » of docs/stack-notes is that one).
"""

import argparse
import random
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

from _base import base_de_bench, memoire_max_mo, tableau

from pacte.validators import siren_completer  # noqa: E402 - after _base has set sys.path

PRODUITS = ["PLUS"] * 30 + ["PLUS_FONCIER"] * 8 + ["PLAI"] * 15 + ["PLAI_FONCIER"] * 4 + ["PLS"] * 8 + ["PSLA"] * 3 \
    + ["PAM"] * 18 + ["ECO_PRET"] * 12 + ["AUTRE"] * 2
ZONES = ["1", "1", "1bis", "2", "2", "2", "2", "3", "3", "3"]
ENTETE = "numero_pret;numero_operation;siren;produit;date_signature;montant;nb_logements;zone;code_commune"
ORGANISMES = 800
ANCRE = "1. COPY du fichier brut dans une table nue (ancre)"
COPY_TABLE = "   COPY des lignes propres dans la table des prêts"
IMPORT = "2. import complet (import_soumettre, inline)"


def _siren(graine: int) -> str:
    return siren_completer(f"{graine:08d}")


SIRENS = [_siren(20_000_000 + i) for i in range(ORGANISMES)]


def _montant(centimes: int) -> str:
    """« 1 234 567,89 »: French thousands separators and decimal comma."""
    return f"{centimes // 100:,}".replace(",", " ") + f",{centimes % 100:02d}"


def extrait(lignes: int, corrige: bool = False) -> bytes:
    """A French-style CSV (BOM, `;`, « 1 234,56 », « 17/05/2013 »); loans of an operation share SIREN and zone.
    `corrige`: the same loans, one amount in ten raised by one euro."""
    alea = random.Random(2013)
    texte = ["\ufeff" + ENTETE]
    for n in range(lignes):
        operation = n // 3
        produit = alea.choice(PRODUITS)
        centimes = alea.randint(1_000_00, 5_000_000_00) + (100 if corrige and n % 10 == 0 else 0)
        zone = ZONES[operation % len(ZONES)] if produit.startswith(("PLUS", "PLAI")) or n % 2 else ""
        texte.append(";".join([
            f"P{n:09d}", f"OP{operation:08d}" if produit not in ("PAM", "ECO_PRET") else "",
            SIRENS[operation % ORGANISMES], produit, f"{1 + n % 28:02d}/{1 + n % 12:02d}/{2012 + n % 4}",
            _montant(centimes), str(alea.randint(0, 80)), zone, f"{alea.randint(1000, 95999):05d}",
        ]))
    return ("\n".join(texte) + "\n").encode()


def peupler() -> None:
    from django.db import connection

    from tests.factories import RegionFactory

    RegionFactory()
    with connection.cursor() as curseur, curseur.copy(
        "COPY pacte_organisme (siren, raison_sociale, famille, region_id, metropole, created_at, updated_at) "
        "FROM STDIN"
    ) as copie:
        for i, siren in enumerate(SIRENS):
            copie.write_row((siren, f"Organisme {i}", "OPH", "11", True, "2013-01-01", "2013-01-01"))


def remettre_a_zero() -> None:
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute("TRUNCATE mutualisation_pret, mutualisation_importfichier, pacte_evenement, pacte_travail "
                        "CASCADE")
        curseur.execute("VACUUM ANALYZE mutualisation_pret")


# --- The measured steps -----------------------------------------------------------------------------------------


def copie_brute(contenu: bytes) -> int:
    """The anchor: PostgreSQL's COPY of the very file into a bare table of text columns, committed."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as curseur:
        curseur.execute("CREATE TABLE bench_brut (" + ", ".join(f"{c} text" for c in ENTETE.split(";")) + ")")
        with curseur.copy("COPY bench_brut FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)") as copie:
            copie.write(contenu)
        curseur.execute("SELECT count(*) FROM bench_brut")
        lignes = curseur.fetchone()[0]
    with connection.cursor() as curseur:
        curseur.execute("DROP TABLE bench_brut")
    return lignes


def lecture(contenu: bytes) -> int:
    from mutualisation import imports

    resultat = imports.lire(imports.cible("prets"), "prets.csv", contenu)
    assert resultat.ok, resultat.rapport(5)
    return len(resultat.donnees)


def copie_dans_la_table(contenu: bytes) -> int:
    """The clean lines COPYed straight into mutualisation_pret (indexes, foreign key checked at commit)."""
    from django.db import connection, transaction

    from mutualisation import imports

    cible = imports.cible("prets")
    resultat = imports.lire(cible, "prets.csv", contenu)
    texte = imports.texte_copy(cible, resultat.donnees)
    debut = time.perf_counter()
    with transaction.atomic(), connection.cursor() as curseur:
        with curseur.copy("COPY mutualisation_pret (numero_pret, numero_operation, siren, produit, date_signature, "
                          "montant, nb_logements, zone, code_commune) FROM STDIN") as copie:
            copie.write("".join(ligne.split("\t", 1)[1] + "\n" for ligne in texte.splitlines()))
    return len(resultat.donnees), time.perf_counter() - debut


def importer(contenu: bytes, nom: str, attendu: tuple[int, int, int]) -> int:
    from mutualisation.services.imports import import_soumettre

    fichier = import_soumettre(acting_user=None, type_fichier="prets", nom_fichier=nom, contenu=contenu,
                               sur_le_worker=False)
    obtenu = (fichier.nb_ajoutees, fichier.nb_remplacees, fichier.nb_inchangees)
    assert fichier.statut == "importe" and obtenu == attendu, (fichier.message, obtenu)
    return fichier.nb_lignes


def _mesure(fonction, memoire: bool):
    if memoire:
        tracemalloc.start()
    debut = time.perf_counter()
    resultat = fonction()
    duree = time.perf_counter() - debut
    pic = 0
    if memoire:
        pic = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    if isinstance(resultat, tuple):  # the step timed its own core
        resultat, duree = resultat
    return resultat, duree, pic


def passe(lignes: int, memoire: bool) -> dict:
    fichier, corrige = extrait(lignes), extrait(lignes, corrige=True)
    dixieme = len(range(0, lignes, 10))
    etapes = {
        ANCRE: lambda: copie_brute(fichier),
        "   lecture + validation seules (pandas)": lambda: lecture(fichier),
        COPY_TABLE: lambda: copie_dans_la_table(fichier),
        IMPORT: lambda: importer(fichier, "prets.csv", (lignes, 0, 0)),
        "3. ré-import d'un extrait corrigé (toutes les lignes existent)": lambda: importer(
            corrige, "prets-corrige.csv", (0, dixieme, lignes - dixieme)),
    }
    mesures = {}
    for nom, fonction in etapes.items():
        if nom in (COPY_TABLE, IMPORT):
            remettre_a_zero()
        mesures[nom] = _mesure(fonction, memoire)
    return mesures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lignes", type=int, default=200_000)
    parser.add_argument("--sans-memoire", action="store_true", help="skip the tracemalloc pass")
    arguments = parser.parse_args()
    dossier = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        with base_de_bench("pacte_bench_import"):
            from django.conf import settings

            settings.FICHIERS_DIR = dossier
            peupler()
            temps = passe(arguments.lignes, memoire=False)
            memoire = {} if arguments.sans_memoire else passe(arguments.lignes, memoire=True)
    finally:
        shutil.rmtree(dossier, ignore_errors=True)
    print(rapport(temps, memoire))


def rapport(temps: dict, memoire: dict) -> str:
    """One row per step; rows/s against the anchor and against a COPY into the loans table itself."""
    debits = {nom: lignes / duree for nom, (lignes, duree, _) in temps.items()}
    ancre, table = debits[ANCRE], debits[COPY_TABLE]
    rangees = [
        [nom, lignes, f"{duree:.2f}", f"{debits[nom]:,.0f}".replace(",", " "), f"{debits[nom] / ancre:.0%}",
         f"{debits[nom] / table:.0%}", f"{memoire[nom][2]:.0f}" if nom in memoire else "—"]
        for nom, (lignes, duree, _) in temps.items()
    ]
    texte = tableau("Import de prêts CDC contre COPY du même fichier",
                    ["étape", "lignes", "secondes", "lignes/s", "/ ancre", "/ COPY table", "pic mémoire Mo"],
                    rangees)
    return texte + f"\n\nMémoire résidente maximale du processus : {memoire_max_mo():.0f} Mo."


if __name__ == "__main__":
    main()
