"""The happy path in a real browser: the button, ProConnect and back, signed in; signing out ends both sessions."""

import re

import pytest

from tests.factories import UtilisateurFactory


@pytest.mark.browser
def test_connexion_et_deconnexion_avec_proconnect(transactional_db, roles, live_server, proconnect, ouvrir_onglet):
    UtilisateurFactory(username="camille", first_name="Camille", last_name="Agent", email="agent@exemple.gouv.fr")
    page = ouvrir_onglet()
    page.goto("/connexion/")

    with page.expect_navigation(url=re.compile(r"/$")):
        page.get_by_role("link", name="S'identifier avec ProConnect", exact=True).click()

    assert proconnect.autorisations, "the browser went through the provider"
    assert "Camille Agent" in page.locator("#utilisateur-connecte").inner_text()

    with page.expect_navigation(url=re.compile(r"/connexion/\?state=")):  # back from ProConnect's end_session
        page.get_by_role("button", name="Se déconnecter").click()
    assert len(proconnect.fins_de_session) == 1
    assert page.get_by_role("link", name="S'identifier avec ProConnect", exact=True).is_visible()
