import runpy
from pathlib import Path

import pytest
from django.conf import settings as reglages_django

from tests.navigateur.conftest import chromium, ouvrir_onglet  # noqa: F401 - for the browser test
from tests.proconnect.fournisseur import Fournisseur

CLIENT_ID = "pacte-test"
CLIENT_SECRET = "secret-de-test"  # noqa: S105 - the local test provider's


@pytest.fixture(scope="session")
def fournisseur():
    """The local ProConnect look-alike (tests/proconnect/fournisseur.py), one per test process, on a free port."""
    serveur = Fournisseur(CLIENT_ID, CLIENT_SECRET).demarrer()
    yield serveur
    serveur.arreter()


def reglages_de(environnement: dict) -> dict:
    """pacte/settings.py run again with these variables: what it derives for ProConnect from the environment."""
    with pytest.MonkeyPatch.context() as patch:
        for nom, valeur in environnement.items():
            patch.setenv(nom, valeur)
        espace = runpy.run_path(str(Path(reglages_django.BASE_DIR) / "pacte" / "settings.py"))
    derives = ("AUTHENTICATION_BACKENDS", "CONTENT_SECURITY_POLICY")
    return {nom: valeur for nom, valeur in espace.items() if nom.startswith(("OIDC_", "PROCONNECT_")) or nom in derives}


@pytest.fixture(scope="session")
def reglages_proconnect(fournisseur):
    return reglages_de({"PROCONNECT_URL_BASE": fournisseur.url, "PROCONNECT_CLIENT_ID": CLIENT_ID,
                        "PROCONNECT_CLIENT_SECRET": CLIENT_SECRET})


@pytest.fixture
def proconnect(settings, fournisseur, reglages_proconnect):
    """ProConnect switched on, against the local provider, as the settings would configure it."""
    for nom, valeur in reglages_proconnect.items():
        setattr(settings, nom, valeur)
    fournisseur.reinitialiser()
    return fournisseur
