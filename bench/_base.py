"""Shared set-up for the benchmarks: a scratch database on the application's PostgreSQL server, dropped at the end."""

import contextlib
import os
import resource
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacte.settings")


@contextlib.contextmanager
def base_de_bench(nom: str = "pacte_bench"):
    """Point Django at a fresh database `nom` (migrated), then drop it. The process id is appended to the name, so
    two runs at once (a test and a developer's `make bench`) never share a database."""
    import django
    import psycopg
    from django.conf import settings

    nom = f"{nom}_{os.getpid()}"
    base = settings.DATABASES["default"]
    connexion = dict(host=base["HOST"], port=base["PORT"] or None, user=base["USER"], password=base["PASSWORD"] or None)
    with psycopg.connect(dbname="postgres", autocommit=True, **connexion) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{nom}"')
        admin.execute(f'CREATE DATABASE "{nom}"')
    base["NAME"] = nom
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(dbname="postgres", autocommit=True, **connexion) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')


def base_existante(nom: str) -> None:
    """Point Django at the existing database `nom` (a child process of a benchmark)."""
    import django
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = nom
    django.setup()


def nom_de_la_base() -> str:
    from django.db import connection

    return connection.settings_dict["NAME"]


def memoire_max_mo() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def chrono(fonction, *arguments, **options):
    debut = time.perf_counter()
    resultat = fonction(*arguments, **options)
    return resultat, time.perf_counter() - debut


def tableau(titre: str, entetes: list[str], lignes: list[list]) -> str:
    largeurs = [max(len(str(x)) for x in colonne) for colonne in zip(entetes, *lignes, strict=False)]
    def ligne(valeurs):
        return "| " + " | ".join(str(v).rjust(n) for v, n in zip(valeurs, largeurs, strict=False)) + " |"
    separateur = "|" + "|".join("-" * (n + 2) for n in largeurs) + "|"
    return "\n".join([f"### {titre}", "", ligne(entetes), separateur, *map(ligne, lignes)])
