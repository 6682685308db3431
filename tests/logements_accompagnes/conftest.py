import pytest

from pacte.enums import Role
from tests.factories import UtilisateurFactory


@pytest.fixture
def equipe(personas):
    """The call's manager (USH team), two committee members and the applicant organism's user."""
    return {
        "gestionnaire": personas[Role.EQUIPE_USH],
        "membre_1": personas[Role.COMITE_ORIENTATION],
        "membre_2": UtilisateurFactory(username="membre-2", role=Role.COMITE_ORIENTATION),
        "organisme": personas[Role.ORGANISME],
    }
