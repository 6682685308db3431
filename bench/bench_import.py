"""Import of a CDC loans extract (prets), CSV and XLSX, against PostgreSQL's own COPY of the same file, in one run.

    .venv/bin/python bench/bench_import.py [--lignes 200000,1000000] [--formats csv,xlsx] [--tours 3] [--rapide]

Works in a scratch database (created, migrated, dropped); the generated extracts are kept under var/bench/ (an XLSX
of a million lines takes minutes to write). For each size:
  - the anchor: ``COPY mutualisation_pret FROM STDIN (FORMAT csv)`` of the very CSV file, committed — the loans table
    with its indexes, foreign key and triggers, what PostgreSQL alone does with the file (for an XLSX, the CSV of the
    same lines);
  - for context, the COPY of the same file into a bare table of text columns;
  - the full import (import_soumettre, inline: read, validate, cross-check, COPY, upsert, audit) in a child process,
    whose peak resident memory (ru_maxrss) is the memory figure.
Per size, three rounds in which the anchor and the imports take turns; their medians are compared (one round in
quick mode). Goals: the import at ≥ 50 % of the anchor's rows per second; peak memory ≤ 500 MB for the million
lines.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _base import RACINE, base_de_bench, base_existante, nom_de_la_base
from _table import afficher, ligne

from pacte.validators import siren_completer  # noqa: E402 - after _base has set sys.path

BANC = "import"
PRODUITS = ["PLUS"] * 30 + ["PLUS_FONCIER"] * 8 + ["PLAI"] * 15 + ["PLAI_FONCIER"] * 4 + ["PLS"] * 8 + ["PSLA"] * 3 \
    + ["PAM"] * 18 + ["ECO_PRET"] * 12 + ["AUTRE"] * 2
ZONES = ["1", "1", "1bis", "2", "2", "2", "2", "3", "3", "3"]
COLONNES = ["numero_pret", "numero_operation", "siren", "produit", "date_signature", "montant", "nb_logements", "zone",
            "code_commune"]
ORGANISMES = 800
CACHE = RACINE / "var" / "bench"
TAILLES, TAILLES_RAPIDES = [200_000, 1_000_000], [5_000]
TOURS = 3  # rounds of (anchor, imports) per size; 1 in quick mode
MEMOIRE_MAX = 500
VERSION = 1  # of the generator: part of the cached files' names


def _siren(graine: int) -> str:
    return siren_completer(f"{graine:08d}")


def lignes_prets(nombre: int):
    """Loans of 800 organisms; an operation's loans share SIREN and zone (as the import requires)."""
    alea = random.Random(2013)
    sirens = [_siren(20_000_000 + i) for i in range(ORGANISMES)]
    for n in range(nombre):
        operation = n // 3
        produit = alea.choice(PRODUITS)
        centimes = alea.randint(1_000_00, 5_000_000_00)
        zone = ZONES[operation % len(ZONES)] if produit.startswith(("PLUS", "PLAI")) or n % 2 else ""
        yield [f"P{n:09d}", f"OP{operation:08d}" if produit not in ("PAM", "ECO_PRET") else "",
               sirens[operation % ORGANISMES], produit, f"{2012 + n % 4}-{1 + n % 12:02d}-{1 + n % 28:02d}",
               f"{centimes // 100}.{centimes % 100:02d}", str(alea.randint(0, 80)), zone,
               f"{alea.randint(1000, 95999):05d}"]


def fichier_csv(nombre: int) -> Path:
    """`;`-separated, dot decimals and ISO dates: a file both the import and COPY read as it is."""
    chemin = CACHE / f"prets-v{VERSION}-{nombre}.csv"
    if not chemin.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        provisoire = chemin.with_suffix(".tmp")
        with provisoire.open("w", encoding="utf-8") as flux:
            flux.write(";".join(COLONNES) + "\n")
            flux.writelines(";".join(valeurs) + "\n" for valeurs in lignes_prets(nombre))
        provisoire.rename(chemin)
    return chemin


def fichier_xlsx(nombre: int) -> Path:
    """The same lines as fichier_csv, as a worksheet (texts, the amount and the dwellings as numbers)."""
    import openpyxl

    chemin = CACHE / f"prets-v{VERSION}-{nombre}.xlsx"
    if not chemin.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        classeur = openpyxl.Workbook(write_only=True)
        feuille = classeur.create_sheet("prets")
        feuille.append(COLONNES)
        for valeurs in lignes_prets(nombre):
            valeurs[6] = int(valeurs[6])
            feuille.append(valeurs)
        provisoire = chemin.with_suffix(".tmp")
        classeur.save(provisoire)
        provisoire.rename(chemin)
    return chemin


# --- Database -------------------------------------------------------------------------------------------------------


def peupler() -> None:
    from django.db import connection

    from tests.factories import RegionFactory

    RegionFactory()
    with connection.cursor() as curseur, curseur.copy(
        "COPY pacte_organisme (siren, raison_sociale, famille, region_id, metropole, created_at, updated_at) "
        "FROM STDIN"
    ) as copie:
        for i in range(ORGANISMES):
            copie.write_row((_siren(20_000_000 + i), f"Organisme {i}", "OPH", "11", True, "2013-01-01", "2013-01-01"))


def remettre_a_zero() -> None:
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute("TRUNCATE mutualisation_pret, mutualisation_importfichier, pacte_evenement, pacte_travail "
                        "CASCADE")
        curseur.execute("VACUUM ANALYZE mutualisation_pret")


def _copier(curseur, chemin: Path) -> None:
    with chemin.open("rb") as source, curseur.copy(
        f"COPY {_table_cible(curseur)} FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true, "
        "FORCE_NOT_NULL (numero_operation, zone, code_commune))"
    ) as copie:
        while bloc := source.read(1 << 20):
            copie.write(bloc)


def _table_cible(curseur) -> str:
    curseur.execute("SELECT to_regclass('pg_temp.bench_brut') IS NOT NULL")
    return "bench_brut" if curseur.fetchone()[0] else "mutualisation_pret (" + ", ".join(COLONNES) + ")"


def copie_dans_la_table(chemin: Path) -> tuple[int, float]:
    """The anchor: COPY of the file into the loans table, committed (foreign keys checked at commit)."""
    from django.db import connection, transaction

    remettre_a_zero()
    debut = time.perf_counter()
    with transaction.atomic(), connection.cursor() as curseur:
        _copier(curseur, chemin)
    duree = time.perf_counter() - debut
    with connection.cursor() as curseur:
        curseur.execute("SELECT count(*) FROM mutualisation_pret")
        return curseur.fetchone()[0], duree


def copie_brute(chemin: Path) -> tuple[int, float]:
    """For context: COPY of the file into a bare table of text columns."""
    from django.db import connection, transaction

    with connection.cursor() as curseur:
        curseur.execute("CREATE TEMPORARY TABLE bench_brut (" + ", ".join(f"{c} text" for c in COLONNES) + ")")
    debut = time.perf_counter()
    with transaction.atomic(), connection.cursor() as curseur:
        _copier(curseur, chemin)
    duree = time.perf_counter() - debut
    with connection.cursor() as curseur:
        curseur.execute("SELECT count(*) FROM bench_brut")
        lignes = curseur.fetchone()[0]
        curseur.execute("DROP TABLE bench_brut")
    return lignes, duree


def importer_dans_un_enfant(chemin: Path) -> dict:
    """The full import in a fresh process: its time and its peak resident memory."""
    remettre_a_zero()
    from django.db import connections

    connections.close_all()
    # The upload limit (PACTE_TAILLE_MAX_IMPORT, 50 MB) is a product choice, not a speed: lifted here so that a
    # million lines (68 MB of CSV, 53 MB of XLSX) can be measured.
    sortie = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--enfant", nom_de_la_base(), str(chemin)], cwd=RACINE, capture_output=True,
        text=True, check=False, env={**os.environ, "PACTE_TAILLE_MAX_IMPORT": str(2**30)},
    )
    if sortie.returncode:
        raise RuntimeError(f"import de {chemin.name} : {sortie.stderr.strip()[-2000:]}")
    return json.loads(sortie.stdout.strip().splitlines()[-1])


def enfant(base: str, chemin: Path) -> None:
    base_existante(base)
    from django.conf import settings

    from mutualisation.services.imports import import_soumettre

    contenu = chemin.read_bytes()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as conserves:
        settings.FICHIERS_DIR = Path(conserves)  # the kept copy of the upload
        debut = time.perf_counter()
        fichier = import_soumettre(acting_user=None, type_fichier="prets", nom_fichier=chemin.name,
                                   contenu=contenu, sur_le_worker=False)
        duree = time.perf_counter() - debut
    assert fichier.statut == "importe", fichier.message  # noqa: S101 - a benchmark of a failed import means nothing
    print(json.dumps({"lignes": fichier.nb_lignes, "secondes": duree,
                      "rss_mo": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


# --- Rows -------------------------------------------------------------------------------------------------------------


def _milliers(nombre: int) -> str:
    return f"{nombre:,}".replace(",", "\u202f")


def _debit(lignes: int, duree: float) -> float:
    return lignes / duree if duree else 0.0


def _un_tour(taille: int, formats: list[str], par_format: dict) -> float:
    """One round: the anchor, then each format's import; a failed import is kept as its message."""
    lignes, duree = copie_dans_la_table(fichier_csv(taille))
    for format_ in formats:
        chemin = fichier_csv(taille) if format_ == "csv" else fichier_xlsx(taille)
        print(f"… import {format_.upper()} {chemin.name}", file=sys.stderr, flush=True)
        try:
            par_format[format_].append(importer_dans_un_enfant(chemin))
        except RuntimeError as erreur:
            par_format[format_].append(str(erreur).strip().splitlines()[-1][:200])
    return _debit(lignes, duree)


def mesurer(tailles: list[int], formats: list[str], tours: int = TOURS) -> list[dict]:
    """Per size, ``tours`` rounds in which the anchor and the imports take turns; the medians are compared: a
    commit's flush on this shared disk varies by ±30 % from one minute to the next, for the anchor as for the
    import (docs/performances.md, « Import : la provenance des prêts »)."""
    rangees = []
    for taille in tailles:
        brut = _debit(*copie_brute(fichier_csv(taille)))
        par_format = {format_: [] for format_ in formats}
        ancres = [_un_tour(taille, formats, par_format) for _ in range(tours)]
        ancre = statistics.median(ancres)
        en_tours = f", médianes de {tours} tours" if tours > 1 else ""
        rangees.append(ligne(BANC, f"COPY du CSV dans une table nue de textes, {_milliers(taille)} lignes",
                             brut, "lignes/s", ancre="COPY du CSV dans la table des prêts", valeur_ancre=ancre))
        for format_, resultats in par_format.items():
            nom = f"{format_.upper()} {_milliers(taille)} lignes"
            echecs = [r for r in resultats if isinstance(r, str)]
            if echecs:
                rangees.append(ligne(BANC, f"import {nom} : échec ({echecs[0]})", None, "", atteint=False))
                continue
            debit = statistics.median(_debit(r["lignes"], r["secondes"]) for r in resultats)
            ecart = ""
            if tours > 1:
                ratios = sorted(_debit(r["lignes"], r["secondes"]) / a for r, a in zip(resultats, ancres, strict=True))
                ecart = f" ; ratio par tour {ratios[0]:.2f} à {ratios[-1]:.2f}".replace(".", ",")
            rangees.append(ligne(BANC, f"import {nom}{en_tours}{ecart}", debit, "lignes/s",
                                 ancre="COPY du même fichier CSV dans la table des prêts", valeur_ancre=ancre,
                                 objectif="≥ 0,5 × l'ancre", atteint=debit >= 0.5 * ancre))
            memoire = max(r["rss_mo"] for r in resultats)
            rangees.append(ligne(BANC, f"import {nom} : mémoire résidente maximale", memoire, "Mo",
                                 objectif=f"≤ {MEMOIRE_MAX} Mo", atteint=memoire <= MEMOIRE_MAX))
    return rangees


def mesures(rapide: bool = False, tailles: list[int] | None = None, formats: list[str] | None = None,
            tours: int | None = None) -> list[dict]:
    tailles = tailles or (TAILLES_RAPIDES if rapide else TAILLES)
    with base_de_bench("pacte_bench_import"):
        peupler()
        return mesurer(tailles, formats or ["csv", "xlsx"], tours or (1 if rapide else TOURS))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lignes", help="tailles séparées par des virgules (défaut 200000,1000000)")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--rapide", action="store_true")
    parser.add_argument("--tours", type=int, help=f"tours (ancre puis imports) par taille (défaut {TOURS})")
    parser.add_argument("--enfant", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.enfant:
        enfant(options.enfant[0], Path(options.enfant[1]))
        return
    tailles = [int(t) for t in options.lignes.split(",")] if options.lignes else None
    print(afficher(mesures(options.rapide, tailles, options.formats.split(","), options.tours),
                   "Import de prêts CDC contre COPY du même fichier"))


if __name__ == "__main__":
    main()
