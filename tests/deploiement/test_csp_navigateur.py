"""The Content-Security-Policy in a real browser: the main pages, signed in as a few roles, log no console error and
no CSP violation ("Refused to …"), and their bar charts still get their widths (set by static/pacte/graphiques.js,
since the policy refuses style="" attributes)."""

import random

import pytest

from pacte.enums import Role
from tests.deploiement.annee import ANNEE, annee_validee
from tests.factories import AgrementFactory, ObjectifFactory, OrganismeFactory

pytestmark = pytest.mark.browser

# (role, pages): home, dashboards with charts, mutualisation results, the campaign page, forms, the admin.
PARCOURS = [
    (Role.COMITE_SUIVI, ["/", f"/suivi/?annee={ANNEE}", f"/suivi/regions/?annee={ANNEE}",
                         f"/suivi/regions/11/?annee={ANNEE}"]),
    (Role.COMMISSION, ["/mutualisation/", f"/mutualisation/{ANNEE}/", f"/mutualisation/{ANNEE}/resultats/"]),
    (Role.ADMINISTRATEUR, ["/mutualisation/imports/", f"/mutualisation/{ANNEE + 1}/bareme/", "/admin/",
                           "/admin/pacte/organisme/", "/api/docs/"]),
]


@pytest.fixture
def donnees(comptes):
    calcul = annee_validee()
    alea = random.Random(ANNEE)
    ObjectifFactory(annee=ANNEE, objectif_production=2000, objectif_rehabilitation=1500)
    for region, departement in (("11", "75"), ("93", "13")):
        ObjectifFactory(annee=ANNEE, region_id=region, objectif_production=300, objectif_rehabilitation=100)
        organisme = OrganismeFactory(region_id=region)
        for produit in ("PLUS", "PLAI", "PLS"):
            AgrementFactory(annee=ANNEE, region_id=region, departement_id=departement, organisme=organisme,
                            siren=organisme.siren, produit=produit, nb_logements=alea.randint(10, 60))
    return calcul


def _ecouter(page) -> list[str]:
    """Console errors, CSP reports (Chromium logs "Refused to …" as errors), uncaught exceptions, failed loads."""
    erreurs = []

    def console(message):
        # The Django admin has no <link rel="icon">: Chromium's own /favicon.ico guess is not the page's fault.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            erreurs.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", console)
    page.on("pageerror", lambda exception: erreurs.append(f"exception : {exception}"))
    page.on("response", lambda reponse: erreurs.append(f"{reponse.status} {reponse.url}") if reponse.status >= 400
            else None)
    return erreurs


def test_les_pages_principales_respectent_la_politique(ouvrir_onglet, se_connecter, donnees):
    barres_dessinees = 0
    for role, chemins in PARCOURS:
        page = ouvrir_onglet()
        erreurs = _ecouter(page)
        se_connecter(page, role)
        for chemin in chemins:
            reponse = page.goto(chemin, wait_until="load")
            assert reponse.status == 200, f"{role} {chemin} : {reponse.status}"
            if chemin == "/api/docs/":  # Swagger UI draws the schema it fetches after the page's load
                page.locator(".swagger-ui .opblock").first.wait_for()
            politique = reponse.header_value("content-security-policy")
            assert "script-src 'self'" in politique and "'unsafe-inline'" not in politique, politique
            for largeur_demandee, style, pixels in page.locator("[data-largeur]").evaluate_all(
                    "(barres) => barres.map((e) => [e.dataset.largeur, e.style.width,"
                    " e.getBoundingClientRect().width])"):
                attendu = min(max(float(largeur_demandee.replace(",", ".")), 0), 100)
                assert style.endswith("%") and float(style[:-1]) == pytest.approx(attendu), (chemin, style)
                barres_dessinees += attendu >= 1 and pixels > 0
            assert erreurs == [], f"{role} {chemin} : {erreurs}"
    assert barres_dessinees >= 10  # charts on the dashboards, the home page and the mutualisation pages


def test_redoc_se_dessine_sans_rien_chercher_hors_de_l_application(ouvrir_onglet, se_connecter, live_server):
    """Redoc is the one page whose policy allows inline styles (it writes them at run time); it draws the schema
    with no console error and no request to another origin (Google's fonts are left out of the template, its
    CDN logo is refused by the policy)."""
    page = ouvrir_onglet()
    erreurs = _ecouter(page)
    ailleurs = []
    page.on("response", lambda reponse: None if reponse.url.startswith((live_server.url, "data:", "blob:"))
            else ailleurs.append(reponse.url))  # an answer from elsewhere: the request did leave
    se_connecter(page, Role.ADMINISTRATEUR)
    reponse = page.goto("/api/redoc/", wait_until="load")
    assert reponse.status == 200
    page.locator("#redoc-container [data-section-id]").first.wait_for()
    assert page.locator("#redoc-container [data-section-id]").count() > 20  # one section per operation and tag
    politique = dict(directive.strip().split(" ", 1) for directive in
                     reponse.header_value("content-security-policy").split(";") if " " in directive.strip())
    assert "'unsafe-inline'" in politique["style-src"] and "'unsafe-inline'" not in politique["script-src"]
    # Redoc's "API docs by Redocly" logo points at its CDN: the policy blocks it, no request leaves.
    logo = [e for e in erreurs if "https://cdn.redoc.ly/" in e and "violates the following Content Security" in e]
    assert len(logo) <= 1 and [e for e in erreurs if e not in logo] == [] and ailleurs == []
