"""The follow-up dashboards in a real browser: a committee member goes national → region → département."""

import random
from decimal import Decimal

import pytest
from django.core.cache import cache

from pacte.enums import Famille, Role
from tests.factories import (
    AgrementFactory,
    CalculFactory,
    ImportFichierFactory,
    ObjectifFactory,
    OrganismeFactory,
    RehabilitationFactory,
)

pytestmark = pytest.mark.browser

# (region, départements, Hlm production target): Île-de-France far below, PACA above, Centre below, Bretagne near.
REGIONS = [("11", ("75", "92", "93"), 900), ("93", ("13", "06"), 150), ("24", ("45", "37"), 400),
           ("53", ("35", "29"), 320)]


@pytest.fixture
def donnees(comptes):
    """A few hundred dwellings in four regions, 2013 and 2014, with targets, renovations and a mutualisation run."""
    cache.clear()
    alea = random.Random(2014)
    fichiers = {nature: ImportFichierFactory(type_fichier=nature, nom_fichier=f"{nature}-2014.csv")
                for nature in ("agrements", "rehabilitations", "objectifs")}
    calcul = CalculFactory(campagne__annee=2014)
    for annee in (2013, 2014):
        ObjectifFactory(annee=annee, objectif_production=2000, objectif_rehabilitation=1500,
                        import_source=fichiers["objectifs"])
    for region, departements, objectif in REGIONS:
        organismes = [OrganismeFactory(region_id=region, famille=famille, raison_sociale=f"{famille} {region}-{n}")
                      for n, famille in enumerate((Famille.OPH, Famille.ESH, Famille.SEM))]
        for annee in (2013, 2014):
            ObjectifFactory(annee=annee, region_id=region, objectif_production=objectif,
                            objectif_rehabilitation=objectif // 2, import_source=fichiers["objectifs"])
            for n in range(12):
                organisme = organismes[n % 3]
                departement = departements[n // 3 % len(departements)]
                AgrementFactory(annee=annee, region_id=region, departement_id=departement, organisme=organisme,
                                siren=organisme.siren, produit=("PLUS", "PLAI", "PLS")[n // 2 % 3],
                                nb_logements=alea.randint(10, 60), anru=n == 11, import_source=fichiers["agrements"])
                RehabilitationFactory(annee=annee, region_id=region, departement_id=departement,
                                      organisme=organisme, siren=organisme.siren, nb_logements=alea.randint(10, 40),
                                      etiquette_avant="DEFFG"[n % 5], etiquette_apres="ABCCD"[n % 5],
                                      import_source=fichiers["rehabilitations"])
        _resultat(calcul, organismes[0], Decimal(alea.randint(100_000, 900_000)),
                  Decimal(alea.randint(50_000, 600_000)))
    return comptes


def _resultat(calcul, organisme, aide, contribution):
    from mutualisation.models import ResultatOrganisme

    zero = Decimal("0.00")
    ResultatOrganisme.objects.create(
        calcul=calcul, organisme=organisme, exonere=False, aide_production=aide, aide_rehabilitation=zero,
        aide_restructuration=zero, ajustements=zero, aide_totale=aide, part_cotisation_cglls=contribution,
        part_loyers=zero, part_patrimoine=zero, contribution=contribution, solde=aide - contribution,
        sens="versement" if aide > contribution else "appel_de_fonds")


def _sans_debordement(onglet, largeur: int):
    assert onglet.evaluate("document.documentElement.scrollWidth") <= largeur


def test_un_membre_du_comite_descend_du_national_au_departement(onglet, se_connecter, donnees, live_server, captures):
    se_connecter(onglet, Role.COMITE_SUIVI)

    onglet.goto("/suivi/?annee=2014")
    assert onglet.get_by_role("heading", level=1).inner_text() == "Suivi du pacte : France métropolitaine"
    menu = onglet.get_by_role("navigation", name="Menu principal")
    assert menu.locator("[aria-current=page]").inner_text() == "Suivi"
    tuiles = onglet.locator("#chiffres-cles .chiffre-cle").all_inner_texts()
    assert len(tuiles) == 4 and tuiles[1].endswith("%")
    # The charts are drawn (widths applied by suivi.css) and the tables beside them carry the figures.
    segments = onglet.locator(".barres-empilees .segment")
    assert segments.count() > 4 and segments.first.evaluate("e => e.getBoundingClientRect().width") > 5
    assert onglet.locator(".barres-empilees .repere").count() >= 2
    assert onglet.locator("#tableau-production tbody tr").count() == 3
    assert onglet.locator("#tableau-mutualisation tbody tr").count() == 4
    assert "agrements-2014.csv" in onglet.locator("#tableau-sources").inner_text()
    _sans_debordement(onglet, 1280)
    onglet.screenshot(path=captures / "suivi-national.png", full_page=True)

    with onglet.expect_download() as telechargement:
        onglet.locator("#tableau-production + .pied-tableau").get_by_role("link", name="CSV").click()
    assert telechargement.value.suggested_filename == "suivi-national-production-2014.csv"

    with onglet.expect_navigation():
        onglet.locator("#regions-a-suivre + p + ul").get_by_role("link", name="Île-de-France").click()
    assert onglet.url == f"{live_server.url}/suivi/regions/11/?annee=2014"
    assert onglet.get_by_role("heading", level=1).inner_text() == "Région Île-de-France"
    assert "Loin de l'objectif en 2014" in onglet.locator(".fr-alert--warning").inner_text()
    assert onglet.locator("#tableau-departements tbody tr").count() == 8
    _sans_debordement(onglet, 1280)
    onglet.screenshot(path=captures / "suivi-region.png", full_page=True)

    with onglet.expect_navigation():
        onglet.locator("#tableau-departements").get_by_role("link", name="75 – Paris").click()
    assert onglet.get_by_role("heading", level=1).inner_text() == "Département 75 – Paris"
    fil = onglet.get_by_role("navigation", name="vous êtes ici :")
    assert fil.get_by_role("link", name="Île-de-France").count() == 1
    organismes = onglet.locator("#tableau-organismes tbody tr")
    assert organismes.count() == 3
    assert "non" in onglet.locator("#tableau-organismes tbody tr", has_text="SEM 11").inner_text()
    _sans_debordement(onglet, 1280)
    onglet.screenshot(path=captures / "suivi-departement.png", full_page=True)


def test_classement_des_regions(onglet, se_connecter, donnees, captures):
    se_connecter(onglet, Role.COMITE_SUIVI)
    onglet.goto("/suivi/regions/?annee=2014")

    assert onglet.get_by_role("heading", level=1).inner_text() == "Classement des 22 régions métropolitaines"
    lignes = onglet.locator("#tableau-regions tbody tr")
    assert lignes.count() == 22
    assert lignes.first.locator("th").inner_text().startswith("Provence-Alpes-Côte d'Azur")
    ile_de_france = onglet.locator("#tableau-regions tbody tr", has_text="Île-de-France")
    assert "loin de l'objectif" in ile_de_france.inner_text().lower()
    assert onglet.locator(".barres-taux .segment--retard").count() >= 1
    _sans_debordement(onglet, 1280)
    onglet.screenshot(path=captures / "suivi-classement.png", full_page=True)


def test_le_referent_regional_arrive_sur_sa_region_meme_sur_mobile(ouvrir_onglet, se_connecter, donnees, live_server,
                                                                  captures):
    onglet = ouvrir_onglet(largeur=375, hauteur=812)
    se_connecter(onglet, Role.REFERENT_REGIONAL)
    onglet.goto("/suivi/")
    assert onglet.url == f"{live_server.url}/suivi/regions/11/"
    assert onglet.get_by_role("heading", level=1).inner_text() == "Région Île-de-France"
    _sans_debordement(onglet, 375)
    onglet.screenshot(path=captures / "suivi-region-mobile.png", full_page=True)
