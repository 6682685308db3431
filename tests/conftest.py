import os
import subprocess
import sys

import pytest

from pacte.enums import Role
from pacte.roles import ROLES_EQUIPE
from pacte.services import roles_synchroniser
from tests.factories import OrganismeFactory, RegionFactory, UtilisateurFactory


def pytest_configure(config):
    from django.conf import settings

    # Tests create many users: the production hasher's cost would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database per test process, so that runs side by side on one server never drop each other's."""
    from django.db import connections

    base = connections["default"].settings_dict
    base["TEST"]["NAME"] = f"test_{base['NAME']}_{os.getpid()}"


@pytest.fixture
def roles(db):
    roles_synchroniser()


@pytest.fixture
def personas(roles):
    """One user per role of domain.md §1, with its scope."""
    region = RegionFactory()
    organisme = OrganismeFactory(region=region)
    perimetres = {Role.REFERENT_REGIONAL: {"region": region}, Role.ORGANISME: {"organisme": organisme}}
    return {
        role: UtilisateurFactory(
            username=f"persona-{role.lower()}", role=role, is_staff=role in ROLES_EQUIPE, **perimetres.get(role, {})
        )
        for role in Role
    }


def _url_base_de_test() -> str:
    from django.db import connection

    from pacte.env import url_postgres

    return url_postgres(connection.settings_dict)


@pytest.fixture
def worker(transactional_db):
    """A real Celery worker process on the test database, through the configured broker (Redis in CI)."""
    from django.conf import settings

    environnement = {
        **os.environ,
        "DATABASE_URL": _url_base_de_test(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    # Messages left by earlier tests would name rows of another test's database: start from an empty queue.
    subprocess.run([sys.executable, "-m", "celery", "-A", "pacte", "purge", "-f"],  # noqa: S603
                   env=environnement, cwd=settings.BASE_DIR, check=True, capture_output=True, timeout=60)
    processus = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "pacte", "worker", "--pool", "solo", "--loglevel", "WARNING"],
        env=environnement,
        cwd=settings.BASE_DIR,
    )
    yield processus
    processus.terminate()
    processus.wait(timeout=30)




@pytest.fixture
def equipe(personas):
    """A call for projects' people: its manager (USH team), two committee members and the applicant's user."""
    return {
        "gestionnaire": personas[Role.EQUIPE_USH],
        "membre_1": personas[Role.COMITE_ORIENTATION],
        "membre_2": UtilisateurFactory(username="membre-2", role=Role.COMITE_ORIENTATION),
        "organisme": personas[Role.ORGANISME],
    }
