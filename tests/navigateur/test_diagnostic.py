"""The committee's pages in a real browser: a regional referent edits its own region's diagnostic and cannot edit
another region's; the secretariat's pages (meetings, blocking points, good practices, commitments, reports)."""

import pytest

from pacte.enums import Role
from suivi.models import DiagnosticRegional

pytestmark = pytest.mark.browser


def test_un_referent_modifie_le_diagnostic_de_sa_region_et_pas_celui_d_une_autre(
        onglet, se_connecter, comptes, live_server, captures):
    referent = comptes[Role.REFERENT_REGIONAL]
    assert referent.region_id == "11"
    se_connecter(onglet, Role.REFERENT_REGIONAL)

    onglet.goto("/suivi/diagnostics/?annee=2014")
    tableau = onglet.locator("#diagnostics")
    paca = tableau.get_by_role("row", name="Provence-Alpes-Côte d'Azur")
    assert paca.get_by_role("link", name="Rédiger").count() == 0
    with onglet.expect_navigation():
        tableau.get_by_role("link", name="Rédiger le diagnostic Île-de-France").click()
    assert onglet.get_by_role("heading", level=1).inner_text() == "Diagnostic régional partagé — Île-de-France 2014"
    onglet.get_by_label("Disponibilité foncière (dont foncier de l'État)").fill(
        "Douze terrains de l'État identifiés en petite couronne.")
    onglet.get_by_label("Besoins en typologie", exact=False).fill("Davantage de T2 pour les personnes âgées.")
    onglet.get_by_label("Statut").select_option(label="Partagé")
    onglet.screenshot(path=captures / "diagnostic-formulaire.png", full_page=True)
    with onglet.expect_navigation():
        onglet.get_by_role("button", name="Enregistrer le diagnostic").click()

    assert onglet.url == f"{live_server.url}/suivi/diagnostics/2014/11/"
    assert "Le diagnostic est enregistré." in onglet.get_by_role("status").inner_text()
    assert "Douze terrains de l'État identifiés en petite couronne." in onglet.locator("main").inner_text()
    onglet.screenshot(path=captures / "diagnostic-enregistre.png", full_page=True)
    diagnostic = DiagnosticRegional.objects.get(region_id="11", annee=2014)
    assert (diagnostic.statut, diagnostic.besoins_typologie) == ("PARTAGE", "Davantage de T2 pour les personnes âgées.")

    # Another region: its page has no edit button, and the edit address itself is refused, with no form.
    onglet.goto("/suivi/diagnostics/2014/93/")
    assert onglet.get_by_role("link", name="Rédiger le diagnostic").count() == 0
    reponse = onglet.goto("/suivi/diagnostics/2014/93/modifier/")
    assert reponse.status == 403
    assert onglet.get_by_role("heading", level=1).inner_text() == "Accès refusé"
    assert onglet.locator("main textarea, main form[method=post]").count() == 0
    assert not DiagnosticRegional.objects.filter(region_id="93").exists()


@pytest.fixture
def comite_de_demo(comptes):
    from suivi.demo_comite import generer

    generer()
    return comptes


@pytest.mark.parametrize(
    "chemin, titre",
    [
        ("/suivi/comite/", "Comité de suivi national"),
        ("/suivi/comite/blocages/", "Points de blocage"),
        ("/suivi/comite/bonnes-pratiques/?recherche=foncier", "Bonnes pratiques"),
        ("/suivi/diagnostics/?annee=2015", "Diagnostics régionaux partagés 2015"),
        ("/suivi/engagements/", "Engagements du pacte"),
        ("/engagements/E18/", "E18"),
        ("/suivi/rapports/", "Rapports annuels du comité de suivi"),
    ],
)
def test_captures_des_pages_du_comite(onglet, se_connecter, comite_de_demo, captures, chemin, titre):
    se_connecter(onglet, Role.SECRETARIAT)

    reponse = onglet.goto(chemin)

    assert reponse.status == 200
    assert onglet.get_by_role("heading", level=1).inner_text().startswith(titre)
    assert onglet.evaluate("document.documentElement.scrollWidth") <= 1280
    nom = chemin.split("?")[0].strip("/").replace("/", "-")
    onglet.screenshot(path=captures / f"{nom}.png", full_page=True)


def test_le_detail_d_un_point_de_blocage_montre_son_historique(onglet, se_connecter, comite_de_demo, captures):
    se_connecter(onglet, Role.SECRETARIAT)
    onglet.goto("/suivi/comite/blocages/")
    with onglet.expect_navigation():
        onglet.get_by_role("link", name="Recours contre les permis de construire").click()

    historique = onglet.locator("#historique")
    assert historique.locator(":scope > li").count() == 2
    assert "Délais revenus à moins d'un an." in historique.inner_text()
    assert "Ouvert → Levé" in historique.inner_text()
    onglet.screenshot(path=captures / "suivi-comite-blocage.png", full_page=True)
