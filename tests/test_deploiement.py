"""Deployment files: docker-compose, Procfile and make run start the same processes with the same commands."""

import os
import shlex
import subprocess
import sys

import pytest
import yaml
from django.conf import settings

from pacte.procfile import commandes_procfile, lire_procfile

RACINE = settings.BASE_DIR


def _compose() -> dict:
    return yaml.safe_load((RACINE / "docker-compose.yml").read_text())


def _commande_compose(service: dict) -> str:
    commande = service["command"]
    if commande[:2] == ["sh", "-c"]:
        return commande[2]
    return shlex.join(commande)


def test_compose_a_les_services_de_production():
    services = _compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat", "release"} <= set(services)
    for nom in ("web", "worker", "beat", "release"):
        environnement = services[nom]["environment"]
        assert environnement["PACTE_ENV"] == "production"
        assert environnement["DATABASE_URL"].startswith("postgres://")
        assert environnement["CELERY_BROKER_URL"].startswith("redis://redis:")


def test_compose_et_procfile_lancent_les_memes_commandes():
    services = _compose()["services"]
    procfile = lire_procfile()
    assert set(procfile) == {"web", "worker", "beat", "release"}
    for nom, commande in procfile.items():
        assert _commande_compose(services[nom]) == commande, nom


def test_make_run_demarre_le_worker_du_procfile():
    commandes = commandes_procfile("/venv/python")
    assert commandes["worker"][:3] == ["/venv/python", "-m", "celery"]
    assert commandes["worker"][3:] == shlex.split(lire_procfile()["worker"])[1:]
    source = (RACINE / "pacte" / "management" / "commands" / "lancer.py").read_text()
    assert 'commandes_procfile(sys.executable)["worker"]' in source


def _environnement_production(**autres) -> dict:
    return {
        **os.environ,
        "PACTE_ENV": "production",
        "SECRET_KEY": "une-cle-de-production-tres-longue-et-aleatoire-0123456789-abcdefghij",
        "ALLOWED_HOSTS": "pacte.example.gouv.fr",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or settings.DATABASE_URL,
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "DEBUG": "false",
        **autres,
    }


def _manage(*arguments, env) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *arguments], cwd=RACINE, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passe_avec_les_valeurs_de_production():
    resultat = _manage("check", "--deploy", "--fail-level", "WARNING", env=_environnement_production())
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr


@pytest.mark.parametrize(
    ("variable", "valeur", "message"),
    [
        ("SECRET_KEY", "", "SECRET_KEY est obligatoire en production"),
        ("SECRET_KEY", "courte", "au moins 50 caractères"),
        ("ALLOWED_HOSTS", "", "ALLOWED_HOSTS est obligatoire"),
        ("DATABASE_URL", "", "DATABASE_URL est obligatoire"),
        ("DATABASE_URL", "sqlite:///db.sqlite3", "PostgreSQL uniquement"),
        ("CELERY_BROKER_URL", "", "CELERY_BROKER_URL (ou REDIS_URL) est obligatoire"),
        ("DEBUG", "peut-etre", "valeur booléenne attendue"),
        ("DEBUG", "true", "DEBUG doit être faux"),
        ("PACTE_ENV", "prod", "valeurs possibles developpement, production"),
    ],
)
def test_une_mauvaise_configuration_empeche_le_demarrage(variable, valeur, message):
    environnement = _environnement_production(**{variable: valeur})
    environnement.pop("REDIS_URL", None)
    resultat = _manage("check", env=environnement)
    assert resultat.returncode != 0
    assert message in resultat.stderr
