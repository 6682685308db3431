"""The application shell in a real browser: sign-in, the home page, DSFR styling, access refusals, keyboard use."""

import json

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from pacte.enums import Role

pytestmark = pytest.mark.browser

ESPACE_INSECABLE = "\u00a0"


def _codes_engagements() -> list[str]:
    lignes = json.loads((settings.BASE_DIR / "fixtures" / "engagements.json").read_text(encoding="utf-8"))
    return [ligne["code"] for ligne in lignes]


def _element_actif(page) -> dict:
    return page.evaluate(
        "({id: document.activeElement.id, texte: document.activeElement.textContent.trim(),"
        " balise: document.activeElement.tagName})"
    )


def test_le_comite_de_suivi_voit_les_objectifs_et_les_engagements(onglet, se_connecter, comptes, live_server, captures):
    se_connecter(onglet, Role.COMITE_SUIVI)

    assert onglet.url == f"{live_server.url}/"
    assert onglet.get_by_role("heading", level=1).inner_text() == "Le pacte d'objectifs et de moyens 2013-2015"
    assert comptes[Role.COMITE_SUIVI].username in onglet.locator("#utilisateur-connecte").inner_text()

    assert f"120{ESPACE_INSECABLE}000" in onglet.locator("#objectifs .fr-tile__title").all_inner_texts()
    assert f"sur 150{ESPACE_INSECABLE}000" in onglet.locator("#objectifs").inner_text()

    codes = _codes_engagements()
    assert len(codes) == 59
    assert sorted(onglet.locator("main table tbody tr td:first-child").all_inner_texts()) == sorted(codes)
    onglet.get_by_role("link", name="Mobiliser les moyens respectifs", exact=False).wait_for()

    # DSFR is really applied: its font family, its Marianne web font actually loaded, its header laid out.
    assert "Marianne" in onglet.evaluate("getComputedStyle(document.body).fontFamily")
    assert onglet.evaluate("document.fonts.ready.then(() => document.fonts.check('1rem Marianne'))")
    entete = onglet.locator(".fr-header")
    assert entete.is_visible()
    assert entete.evaluate("e => e.getBoundingClientRect().height") > 60
    # pacte.css too: the stacked bar of statuses has its height.
    assert onglet.locator(".barre-empilee").evaluate("e => e.getBoundingClientRect().height") > 30

    onglet.screenshot(path=captures / "accueil.png", full_page=True)


def test_le_referent_regional_n_ouvre_pas_l_administration(onglet, se_connecter, live_server, captures):
    se_connecter(onglet, Role.REFERENT_REGIONAL)
    assert onglet.url == f"{live_server.url}/"
    assert onglet.locator("header.fr-header").get_by_role("link", name="Administration").count() == 0

    reponse = onglet.goto("/administration/")
    assert reponse.status == 403
    assert onglet.get_by_role("heading", level=1).inner_text() == "Accès refusé"
    contenu = onglet.locator("main").inner_text()
    assert "Votre compte n'a pas les droits nécessaires" in contenu
    assert "Comptes" not in contenu and "Journal d'audit" not in contenu
    onglet.screenshot(path=captures / "erreur-403.png", full_page=True)

    onglet.goto("/admin/")
    assert onglet.url.startswith(f"{live_server.url}/admin/login/")
    assert onglet.locator("#content-main form#login-form").count() == 1
    assert "autorisé à accéder à cette page" in onglet.locator("#content-main").inner_text()
    assert onglet.locator("#content-main .module table").count() == 0
    assert onglet.get_by_role("link", name="Utilisateurs").count() == 0


def test_l_administrateur_voit_le_lien_administration(onglet, se_connecter):
    """The counterpart of the test above: the link is there for the role that holds the permission."""
    se_connecter(onglet, Role.ADMINISTRATEUR)

    with onglet.expect_navigation():
        onglet.locator("header.fr-header").get_by_role("link", name="Administration").click()
    assert onglet.get_by_role("heading", level=1).inner_text() == "Administration de la plateforme"


def test_clavier_lien_d_evitement_puis_connexion(onglet, comptes, live_server):
    onglet.goto("/connexion/")

    onglet.keyboard.press("Tab")
    actif = _element_actif(onglet)
    assert (actif["balise"], actif["texte"]) == ("A", "Contenu")
    lien = onglet.locator(":focus")
    assert lien.get_attribute("href") == "#content"
    boite = lien.bounding_box()
    assert boite is not None and boite["y"] >= 0 and boite["height"] > 0  # shown on screen once focused

    onglet.keyboard.press("Enter")
    for _ in range(20):
        onglet.keyboard.press("Tab")
        if _element_actif(onglet)["id"] == "id_username":
            break
    else:
        pytest.fail("Le champ « Identifiant » n'est pas atteignable au clavier.")
    onglet.keyboard.type(comptes[Role.COMITE_SUIVI].username)
    onglet.keyboard.press("Tab")
    assert _element_actif(onglet)["id"] == "id_password"
    onglet.keyboard.type("mot-de-passe-de-test")
    onglet.keyboard.press("Tab")
    assert _element_actif(onglet)["texte"] == "Se connecter"
    with onglet.expect_navigation():
        onglet.keyboard.press("Enter")

    assert onglet.url == f"{live_server.url}/"
    assert onglet.locator("#utilisateur-connecte").is_visible()


def test_un_mauvais_mot_de_passe_est_refuse_en_francais(onglet, se_connecter, comptes, live_server):
    se_connecter(onglet, Role.COMITE_SUIVI, mot_de_passe="mauvais-mot-de-passe")

    assert onglet.url == f"{live_server.url}/connexion/"
    assert "Identifiant ou mot de passe incorrect" in onglet.get_by_role("alert").inner_text()
    assert onglet.get_by_label("Identifiant", exact=True).input_value() == comptes[Role.COMITE_SUIVI].username
    assert onglet.get_by_label("Mot de passe", exact=True).input_value() == ""
    assert "sessionid" not in {cookie["name"] for cookie in onglet.context.cookies()}

    onglet.goto("/")
    assert onglet.url == f"{live_server.url}/connexion/?next=/"


def test_pages_d_erreur_en_francais(onglet, se_connecter, captures):
    se_connecter(onglet, Role.COMITE_SUIVI)

    reponse = onglet.goto("/engagements/E99/")
    assert reponse.status == 404
    assert onglet.get_by_role("heading", level=1).inner_text() == "Page introuvable"
    assert onglet.locator(".fr-header").is_visible()
    onglet.screenshot(path=captures / "erreur-404.png", full_page=True)

    # 500: rendered with no request and no context, as Django's server_error view does, then shown in the browser.
    page_500 = render_to_string("500.html")
    onglet.route("**/erreur-500", lambda route: route.fulfill(status=500, body=page_500, content_type="text/html"))
    reponse = onglet.goto("/erreur-500")
    assert reponse.status == 500
    assert onglet.get_by_role("heading", level=1).inner_text() == "Erreur inattendue"
    assert "Marianne" in onglet.evaluate("getComputedStyle(document.body).fontFamily")
    onglet.screenshot(path=captures / "erreur-500.png", full_page=True)


@pytest.mark.parametrize(
    "chemin, titre",
    [
        ("/referentiels/organismes/", "Organismes"),
        ("/referentiels/regions/", "Régions et départements"),
        ("/engagements/E01/", "E01 — Mobiliser les moyens respectifs de l’État et du mouvement Hlm"),
        ("/mutualisation/", "Mutualisation"),
        ("/administration/", "Administration de la plateforme"),
    ],
)
def test_captures_des_pages(onglet, se_connecter, captures, chemin, titre):
    se_connecter(onglet, Role.ADMINISTRATEUR)

    reponse = onglet.goto(chemin)
    assert reponse.status == 200
    assert onglet.get_by_role("heading", level=1).inner_text().startswith(titre)
    assert onglet.evaluate("document.documentElement.scrollWidth") <= 1280
    onglet.screenshot(path=captures / f"{chemin.strip('/').replace('/', '-')}.png", full_page=True)


def test_sur_mobile_le_menu_s_ouvre_et_rien_ne_deborde(ouvrir_onglet, se_connecter, captures):
    onglet = ouvrir_onglet(largeur=375, hauteur=812)
    onglet.goto("/connexion/")
    onglet.screenshot(path=captures / "connexion-mobile.png", full_page=True)
    se_connecter(onglet, Role.COMITE_SUIVI)
    assert onglet.evaluate("document.documentElement.scrollWidth") <= 375
    # The commitments tables scroll inside their frame instead of squeezing their columns to one letter.
    assert onglet.locator("main table tbody td:nth-child(2)").first.evaluate("e => e.offsetWidth") >= 200
    onglet.screenshot(path=captures / "accueil-mobile.png", full_page=True)

    navigation = onglet.get_by_role("navigation", name="Menu principal")
    assert not navigation.is_visible()
    onglet.get_by_role("button", name="Menu").click()  # needs DSFR's JavaScript, loaded with its integrity hash
    lien = navigation.get_by_role("link", name="Référentiels")
    lien.wait_for()
    onglet.screenshot(path=captures / "menu-mobile.png")
    with onglet.expect_navigation():
        lien.click()
    assert onglet.get_by_role("heading", level=1).inner_text() == "Organismes"
    assert onglet.evaluate("document.documentElement.scrollWidth") <= 375
