import os

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
