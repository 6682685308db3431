"""The process commands, read from the Procfile so that make run, docker-compose and the Procfile agree."""

import shlex
from pathlib import Path

PROCFILE = Path(__file__).resolve().parent.parent / "Procfile"


def lire_procfile() -> dict[str, str]:
    lignes = (ligne.split(":", 1) for ligne in PROCFILE.read_text().splitlines() if ":" in ligne)
    return {nom.strip(): commande.strip() for nom, commande in lignes}


def commandes_procfile(python: str) -> dict[str, list[str]]:
    """Procfile commands as argv lists run by this interpreter (celery/gunicorn as modules of the venv)."""
    commandes = {}
    for nom, commande in lire_procfile().items():
        argv = shlex.split(commande)
        if argv[0] in ("celery", "gunicorn"):
            argv = [python, "-m", *argv]
        commandes[nom] = argv
    return commandes
