import pytest

from pacte.enums import Role
from pacte.roles import ROLES_EQUIPE
from pacte.services import roles_synchroniser
from tests.factories import OrganismeFactory, RegionFactory, UtilisateurFactory


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
