"""Headless Chromium (Debian's, not Playwright's download) driven through Playwright against `live_server`."""

import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path(os.environ.get("PACTE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MOT_DE_PASSE = "mot-de-passe-de-test"


@pytest.fixture(scope="package")
def chromium():
    """One browser for the browser tests; a missing Chromium is a failure, never a skip."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"Chromium introuvable ({CHROMIUM}) : apt-get install -y chromium", pytrace=False)
    # Playwright's sync API runs an event loop in the main thread, and Django's ORM then refuses every query as
    # "async". Allowed only while the browser runs, so the rest of the suite keeps Django's check.
    avant = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            navigateur = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            yield navigateur
            navigateur.close()
    finally:
        if avant is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = avant


@pytest.fixture(autouse=True)
def hachage_rapide(settings):
    """Eight personas and their sign-ins: the default PBKDF2 would spend seconds per test hashing passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def comptes(transactional_db, personas):
    """The personas, with the shipped reference data (régions, engagements, barème) in the live server's database."""
    from pacte.services import referentiels_charger

    referentiels_charger()
    return personas


@pytest.fixture
def ouvrir_onglet(chromium, live_server):
    """Opens a page in a fresh browser context (no cookies) on the live server, in French."""
    contextes = []

    def ouvrir(largeur: int = 1280, hauteur: int = 900):
        contexte = chromium.new_context(
            base_url=live_server.url, locale="fr-FR", viewport={"width": largeur, "height": hauteur}
        )
        contexte.set_default_timeout(10_000)
        contextes.append(contexte)
        return contexte.new_page()

    yield ouvrir
    for contexte in contextes:
        contexte.close()


@pytest.fixture
def onglet(ouvrir_onglet):
    return ouvrir_onglet()


@pytest.fixture
def se_connecter(comptes):
    """Signs a persona in through the real login form, as a person would."""

    def connexion(page, role: str, mot_de_passe: str = MOT_DE_PASSE) -> None:
        page.goto("/connexion/")
        page.get_by_label("Identifiant", exact=True).fill(comptes[role].username)
        page.get_by_label("Mot de passe", exact=True).fill(mot_de_passe)
        with page.expect_navigation():
            page.get_by_role("button", name="Se connecter").click()

    return connexion


@pytest.fixture
def captures():
    dossier = Path(settings.BASE_DIR) / "var" / "captures"
    dossier.mkdir(parents=True, exist_ok=True)
    return dossier
