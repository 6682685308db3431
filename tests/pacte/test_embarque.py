"""No DATABASE_URL: the application starts its own PostgreSQL under var/ and uses it as the Celery broker too."""

import os
import subprocess
import sys

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


def test_sans_database_url_un_postgresql_embarque_demarre_et_sert_de_broker(tmp_path):
    premier = _shell(tmp_path / "var")
    assert premier.returncode == 0, premier.stderr
    assert premier.stdout.split() == ["18", "pacte", "sqla+postgresql+psycopg"]
    assert (tmp_path / "var" / "pgdata" / "PG_VERSION").read_text().strip() == "18"
    # Reused by the next command, and stopped when the last process using it exits.
    second = _shell(tmp_path / "var")
    assert second.returncode == 0, second.stderr
    assert not (tmp_path / "var" / "pgdata" / "postmaster.pid").exists()
