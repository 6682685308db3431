"""The cache the gunicorn workers share (pacte/settings.py, « Cache »; pacte/cache.py; docs/performances.md)."""

import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from pacte.cache import CacheRedisTolerant
from pacte.version import version_code

LIRE_LE_BACKEND = "from pacte import settings; print(settings.CACHES['default']['BACKEND'])"


def _backend(**variables) -> str:
    environnement = {cle: valeur for cle, valeur in os.environ.items()
                     if cle not in ("CELERY_BROKER_URL", "REDIS_URL", "PACTE_ENV")}
    sortie = subprocess.run([sys.executable, "-c", LIRE_LE_BACKEND], cwd=settings.BASE_DIR,  # noqa: S603
                            env={**environnement, **variables}, capture_output=True, text=True, check=True,
                            timeout=60)
    return sortie.stdout.strip()


@pytest.mark.parametrize(("variables", "attendu"), [
    ({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/3"}, "pacte.cache.CacheRedisTolerant"),
    ({"REDIS_URL": "redis://127.0.0.1:6379/3"}, "pacte.cache.CacheRedisTolerant"),
    ({}, "django.core.cache.backends.filebased.FileBasedCache"),  # broker in PostgreSQL: files, one host
])
def test_le_cache_est_partage_entre_les_processus(variables, attendu):
    assert _backend(**variables) == attendu


def test_les_cles_portent_le_nom_de_la_base_et_la_version_du_code(db):
    # Two databases on one Redis (a test process each, a benchmark) never read each other's pages or throttles, and
    # a deployment never serves what the previous code rendered.
    assert f":{connection.settings_dict['NAME']}:{version_code()}:" in cache.make_key("page")


def test_un_redis_injoignable_est_un_defaut_de_cache_et_non_une_erreur(caplog):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    eteint = CacheRedisTolerant(f"redis://127.0.0.1:{port}/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    eteint.set("page", "contenu")
    assert eteint.get("page", "calculée") == "calculée"
    assert eteint.add("page", "contenu") is False
    assert eteint.get_many(["page"]) == {}
    assert "Cache Redis injoignable (lecture)" in caplog.text


def test_un_seul_client_redis_par_pool_reutilise_d_un_appel_a_l_autre():
    # Django built a redis.Redis at every call (≈ 1 ms each: its reply callbacks); the same one serves every call,
    # reads and writes alike (one server: one pool), and still reaches Redis.
    redis_ = CacheRedisTolerant(settings.CELERY_BROKER_URL, {})
    client = redis_._cache.get_client("page", write=True)
    assert redis_._cache.get_client("autre") is client is redis_._cache.get_client(write=False)
    redis_.set("pacte-test-client-unique", "valeur", 5)
    assert redis_.get("pacte-test-client-unique") == "valeur"
    redis_.delete("pacte-test-client-unique")
