"""Follow-up dashboards: figures on a hand-built dataset, constant query counts, access per role, exports, API."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacte.enums import Famille, Role
from pacte.services import referentiels_charger
from suivi import selectors
from suivi.selectors import Perimetre
from tests.factories import (
    AgrementFactory,
    CalculFactory,
    ImportFichierFactory,
    ObjectifFactory,
    OrganismeFactory,
    RehabilitationFactory,
    siren_avec_cle,
)

pytestmark = pytest.mark.django_db

ROLES_LECTEURS = {Role.EQUIPE_USH, Role.COMMISSION, Role.COMITE_SUIVI, Role.SECRETARIAT, Role.REFERENT_REGIONAL,
                  Role.COMITE_ORIENTATION, Role.ADMINISTRATEUR}
INCONNU = siren_avec_cle(98000001)


@pytest.fixture(autouse=True)
def cache_vide():
    """The pages are cached by data version: each test starts from an empty cache."""
    cache.clear()


@pytest.fixture
def referentiels(db):
    referentiels_charger()


@pytest.fixture
def jeu(referentiels):
    """2014 in Île-de-France (75, 92), PACA (13), Centre (45) and Guadeloupe (971), plus one 2013 line.

    Metropolitan production outside ANRU: PLUS 100 + 25, PLAI 40 + 10, PLS 60 + 30 = 265, of which Hlm 195;
    ANRU 50 (Hlm); overseas 1 000 (outside the national figures).
    """
    oph = OrganismeFactory(raison_sociale="OPH de Paris", famille=Famille.OPH, region_id="11")
    esh = OrganismeFactory(raison_sociale="ESH du Sud", famille=Famille.ESH, region_id="93")
    sem = OrganismeFactory(raison_sociale="=SEM 92", famille=Famille.SEM, region_id="11")  # a formula, on purpose
    agrements = ImportFichierFactory(type_fichier="agrements", nom_fichier="agrements-2014.csv", nb_lignes=9)
    rehabilitations = ImportFichierFactory(type_fichier="rehabilitations", nom_fichier="rehabilitations-2014.csv")
    objectifs = ImportFichierFactory(type_fichier="objectifs", nom_fichier="objectifs-2014.csv")
    ImportFichierFactory(type_fichier="agrements", nom_fichier="sans-rapport.csv")  # feeds no figure
    for departement, organisme, produit, logements, anru in [
        ("75", oph, "PLUS", 100, False), ("75", oph, "PLAI", 40, False), ("92", sem, "PLS", 60, False),
        ("92", esh, "PLUS", 50, True), ("75", None, "PLAI", 10, False), ("13", esh, "PLS", 30, False),
        ("45", oph, "PLUS", 25, False), ("971", oph, "PLUS", 1000, False),
    ]:
        AgrementFactory(departement_id=departement, region_id=_region(departement), organisme=organisme,
                        siren=organisme.siren if organisme else INCONNU, produit=produit, nb_logements=logements,
                        anru=anru, import_source=agrements)
    AgrementFactory(annee=2013, departement_id="75", region_id="11", organisme=oph, siren=oph.siren, nb_logements=7)
    for departement, organisme, logements, avant, apres, eco_pret in [
        ("75", oph, 20, "F", "C", True), ("92", sem, 30, "G", "D", False), ("13", esh, 50, "E", "B", True),
    ]:
        RehabilitationFactory(departement_id=departement, region_id=_region(departement), organisme=organisme,
                              siren=organisme.siren, nb_logements=logements, etiquette_avant=avant,
                              etiquette_apres=apres, eco_pret=eco_pret, import_source=rehabilitations)
    ObjectifFactory(objectif_production=300, objectif_rehabilitation=100, import_source=objectifs)
    for region, production in [("11", 200), ("93", 20), ("24", 50)]:
        ObjectifFactory(region_id=region, objectif_production=production, objectif_rehabilitation=40,
                        import_source=objectifs)
    return {"oph": oph, "esh": esh, "sem": sem}


def _region(departement: str) -> str:
    return {"75": "11", "92": "11", "13": "93", "45": "24", "971": "01"}[departement]


def _connecte(client, personas, role=Role.COMITE_SUIVI):
    client.force_login(personas[role])
    return client


# --- Figures ------------------------------------------------------------------------------------------------------


def test_indicateurs_nationaux(jeu):
    i = selectors.indicateurs_par_annee(Perimetre.national())[2014]

    assert (i.plus, i.plai, i.pls, i.production_secteur) == (125, 50, 90, 265)
    assert (i.plus_hlm, i.plai_hlm, i.pls_hlm, i.production_hlm) == (125, 40, 30, 195)
    assert i.part_hlm == Decimal("0.7358")  # 195 / 265
    assert (i.anru, i.anru_hlm) == (50, 50)
    assert (i.objectif_production, i.taux_production) == (300, Decimal("0.6500"))
    assert i.loin_de_l_objectif
    assert (i.rehabilitations, i.rehabilitations_hlm, i.rehabilitations_eco_pret) == (100, 70, 70)
    assert i.taux_rehabilitation == Decimal("0.7000")
    assert selectors.indicateurs_par_annee(Perimetre.national())[2013].production_secteur == 7


def test_sans_ligne_nationale_l_objectif_national_est_la_somme_des_regions(jeu):
    from suivi.models import Objectif

    Objectif.objects.filter(region__isnull=True).delete()
    assert selectors.indicateurs_par_annee(Perimetre.national())[2014].objectif_production == 270


def test_classement_des_regions(jeu):
    lignes = selectors.classement_regions(2014)

    assert len(lignes) == 22
    premieres = [(ligne.code, ligne.rang, ligne.indicateurs.taux_production) for ligne in lignes[:3]]
    assert premieres == [("93", 1, Decimal("1.5000")), ("11", 2, Decimal("0.7000")), ("24", 3, Decimal("0.5000"))]
    par_code = {ligne.code: ligne for ligne in lignes}
    assert par_code["11"].prioritaire and par_code["93"].prioritaire and par_code["91"].prioritaire
    assert par_code["11"].indicateurs.loin_de_l_objectif and par_code["24"].indicateurs.loin_de_l_objectif
    assert not par_code["93"].indicateurs.loin_de_l_objectif
    assert par_code["11"].indicateurs.production_secteur == 210 and par_code["11"].indicateurs.anru == 50
    assert par_code["42"].rang is None and not par_code["42"].indicateurs.loin_de_l_objectif  # no target
    assert "01" not in par_code  # overseas: outside the ranking


def test_seuil_d_alerte_a_80_pour_cent():
    assert not selectors.Indicateurs(plus_hlm=80, objectif_production=100).loin_de_l_objectif  # exactly 80 %
    assert selectors.Indicateurs(plus_hlm=79, plai=5, objectif_production=100).loin_de_l_objectif
    assert not selectors.Indicateurs(plus_hlm=10).loin_de_l_objectif  # no target, no flag
    assert selectors.Indicateurs(rehabilitations_hlm=7, objectif_rehabilitation=10).rehabilitation_loin_de_l_objectif


def test_departements_puis_organismes(jeu):
    departements = {d.code: d for d in selectors.departements_de_la_region("11", 2014)}
    assert set(departements) == {"75", "77", "78", "91", "92", "93", "94", "95"}
    assert departements["75"].indicateurs.production_secteur == 150
    assert departements["75"].indicateurs.production_hlm == 140
    assert departements["92"].indicateurs.production_secteur == 60 and departements["92"].indicateurs.anru == 50
    assert departements["75"].part_du_parent == Decimal("0.7143")  # 150 / 210

    organismes = selectors.organismes_du_perimetre(Perimetre.departement("75"), 2014)
    assert [(o.code, o.indicateurs.production_secteur, o.hlm) for o in organismes] == [
        (jeu["oph"].siren, 140, True), (INCONNU, 10, False)]
    assert organismes[1].nom == f"SIREN {INCONNU} (hors référentiel)"
    assert organismes[0].indicateurs.rehabilitations == 20


def test_etiquettes_avant_apres(jeu):
    etiquettes = selectors.etiquettes(Perimetre.national(), 2014)
    par_classe = {c["classe"]: (c["avant"], c["apres"]) for c in etiquettes["classes"]}
    assert par_classe == {"A": (0, 0), "B": (0, 50), "C": (0, 20), "D": (0, 30), "E": (50, 0), "F": (20, 0),
                          "G": (30, 0)}
    assert (etiquettes["total"], etiquettes["sortis_des_classes_energivores"]) == (100, 100)


def test_sources_des_chiffres(jeu):
    sources = selectors.sources(Perimetre.national())
    assert [f.nom_fichier for f in sources["agrements"]] == ["agrements-2014.csv"]
    assert [f.nom_fichier for f in sources["rehabilitations"]] == ["rehabilitations-2014.csv"]
    assert [f.nom_fichier for f in sources["objectifs"]] == ["objectifs-2014.csv"]
    assert selectors.sources(Perimetre.departement("45"))["rehabilitations"] == []


def _resultat(calcul, organisme, aide, contribution):
    from mutualisation.models import ResultatOrganisme

    zero = Decimal("0.00")
    return ResultatOrganisme.objects.create(
        calcul=calcul, organisme=organisme, exonere=False, aide_production=aide, aide_rehabilitation=zero,
        aide_restructuration=zero, ajustements=zero, aide_totale=aide, part_cotisation_cglls=contribution,
        part_loyers=zero, part_patrimoine=zero, contribution=contribution, solde=aide - contribution,
        sens="versement" if aide > contribution else "appel_de_fonds")


def test_mutualisation_par_region(jeu):
    calcul = CalculFactory(campagne__annee=2014)
    _resultat(calcul, jeu["oph"], Decimal("1000.00"), Decimal("400.00"))
    _resultat(calcul, jeu["sem"], Decimal("0.00"), Decimal("100.00"))
    _resultat(calcul, jeu["esh"], Decimal("50.00"), Decimal("550.00"))

    mutualisation = selectors.mutualisation_par_region(2014)
    assert mutualisation["calcul"] == calcul
    assert [(r["code"], r["aides"], r["contributions"], r["soldes"]) for r in mutualisation["regions"]] == [
        ("11", Decimal("1000.00"), Decimal("500.00"), Decimal("500.00")),
        ("93", Decimal("50.00"), Decimal("550.00"), Decimal("-500.00")),
    ]
    assert mutualisation["total"]["soldes"] == Decimal("0.00")
    assert selectors.mutualisation_par_region(2014, "93")["regions"][0]["nom"] == "Provence-Alpes-Côte d'Azur"
    assert selectors.mutualisation_par_region(2013)["calcul"] is None


# --- Pages ----------------------------------------------------------------------------------------------------------


def test_page_nationale(client, personas, jeu):
    calcul = CalculFactory(campagne__annee=2014)
    _resultat(calcul, jeu["oph"], Decimal("1234567.00"), Decimal("400.00"))
    reponse = _connecte(client, personas).get(reverse("suivi:index"), {"annee": 2014})

    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Suivi du pacte : France métropolitaine" in page
    assert "265" in page and "65,0\u00a0%" in page and "73,6\u00a0%" in page  # total, rate, Hlm share
    assert "agrements-2014.csv" in page and "objectifs-2014.csv" in page and "sans-rapport.csv" not in page
    assert f"calcul n° {calcul.pk}" in page and "1\u00a0234\u00a0567\u00a0€" in page
    assert "Régions à suivre en 2014" in page and "loin de l'objectif" in page
    for cle in ("production", "rehabilitation", "etiquettes", "mutualisation"):
        assert f"export={cle}&amp;format=csv" in page and f"export={cle}&amp;format=xlsx" in page
    assert 'data-largeur="' in page and "2\u00a0014" not in page  # widths with a dot, years not localised


def test_pages_region_departement_organisme(client, personas, jeu):
    _connecte(client, personas)
    region = client.get(reverse("suivi:region", kwargs={"code": "11"}), {"annee": 2014}).content.decode()
    assert "Région Île-de-France" in region and "région prioritaire du pacte" in region
    assert "Loin de l'objectif en 2014" in region and "70,0\u00a0%" in region
    assert reverse("suivi:departement", kwargs={"code": "75"}) in region

    departement = client.get(reverse("suivi:departement", kwargs={"code": "75"}), {"annee": 2014}).content.decode()
    assert "Département 75 – Paris" in departement and "OPH de Paris" in departement
    assert f"SIREN {INCONNU} (hors référentiel)" in departement
    assert reverse("suivi:organisme", kwargs={"siren": jeu["oph"].siren}) in departement

    organisme = client.get(reverse("suivi:organisme", kwargs={"siren": INCONNU}), {"annee": 2014})
    assert organisme.status_code == 200 and "Hors organismes Hlm" in organisme.content.decode()
    assert client.get(reverse("suivi:organisme", kwargs={"siren": siren_avec_cle(97000000)})).status_code == 404
    assert client.get(reverse("suivi:region", kwargs={"code": "99"})).status_code == 404


def test_classement(client, personas, jeu):
    page = _connecte(client, personas).get(reverse("suivi:classement"), {"annee": 2014}).content.decode()
    assert "Classement des 22 régions métropolitaines" in page
    tableau = page[page.index('id="tableau-regions"'):]
    assert tableau.index("Provence-Alpes-Côte d&#x27;Azur") < tableau.index("Île-de-France") < tableau.index("Centre")


def test_annee_par_defaut_la_derniere_renseignee(client, personas, jeu):
    courante = 'href="?annee=2014" aria-current="page"'
    _connecte(client, personas)
    assert courante in client.get(reverse("suivi:national")).content.decode()
    assert courante in client.get(reverse("suivi:national"), {"annee": "1999"}).content.decode()
    page_2013 = client.get(reverse("suivi:national"), {"annee": 2013}).content.decode()
    assert 'href="?annee=2013" aria-current="page"' in page_2013


# --- Constant query count ---------------------------------------------------------------------------------------------


def _grossir(jeu, facteur: int):
    """More rows everywhere: other départements, organisms, years, products, ANRU."""
    departements = [("75", "11"), ("92", "11"), ("13", "93"), ("45", "24"), ("59", "31"), ("69", "82")]
    for n in range(facteur):
        organisme = OrganismeFactory(famille=Famille.ESH if n % 2 else Famille.SEM)
        for annee in (2013, 2014, 2015):
            departement, region = departements[n % len(departements)]
            for produit in ("PLUS", "PLAI", "PLS"):
                AgrementFactory(annee=annee, departement_id=departement, region_id=region, organisme=organisme,
                                siren=organisme.siren, produit=produit, anru=n % 5 == 0)
            RehabilitationFactory(annee=annee, departement_id=departement, region_id=region, organisme=organisme,
                                  siren=organisme.siren)
        ImportFichierFactory(type_fichier="agrements")


PAGES = [
    ("suivi:national", {}),
    ("suivi:classement", {}),
    ("suivi:region", {"code": "11"}),
    ("suivi:departement", {"code": "75"}),
]


def _requetes(client, url, parametres) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url, parametres).status_code == 200
    return len(requetes)


@pytest.mark.parametrize(("nom", "kwargs"), PAGES)
def test_nombre_de_requetes_constant(client, personas, jeu, nom, kwargs):
    calcul = CalculFactory(campagne__annee=2014)
    _resultat(calcul, jeu["oph"], Decimal("100.00"), Decimal("10.00"))
    _connecte(client, personas)
    url = reverse(nom, kwargs=kwargs)
    export = {"annee": 2014, "export": "regions" if nom == "suivi:classement" else "production", "format": "xlsx"}
    petit = _requetes(client, url, {"annee": 2014}), _requetes(client, url, export)

    _grossir(jeu, 30)
    _resultat(calcul, OrganismeFactory(region_id="82"), Decimal("5.00"), Decimal("1.00"))
    assert (_requetes(client, url, {"annee": 2014}), _requetes(client, url, export)) == petit


def test_budget_de_requetes_de_la_page_nationale(client, personas, jeu, django_assert_num_queries):
    """Computed: session, user and its permissions (3), data version (1), by year (3), energy classes (1),
    sources (1), ranking (4), mutualisation run and its totals by region (2). Then from the cache: 3 + 1."""
    _resultat(CalculFactory(campagne__annee=2014), jeu["oph"], Decimal("100.00"), Decimal("10.00"))
    _connecte(client, personas)
    with django_assert_num_queries(15):
        client.get(reverse("suivi:national"), {"annee": 2014})
    with django_assert_num_queries(4):
        client.get(reverse("suivi:national"), {"annee": 2014})


def test_le_cache_suit_les_donnees(client, personas, jeu):
    """A new import, a new line, a new mutualisation run: the page shows it at once."""
    _connecte(client, personas)
    url = reverse("suivi:departement", kwargs={"code": "45"})
    avant = client.get(url, {"annee": 2014}).content.decode()
    assert "Maîtres d&#x27;ouvrage en 2014" in avant and "ESH du Sud" not in avant
    AgrementFactory(departement_id="45", region_id="24", organisme=jeu["esh"], siren=jeu["esh"].siren)
    assert "ESH du Sud" in client.get(url, {"annee": 2014}).content.decode()

    national = reverse("suivi:national")
    assert "Pas encore de calcul de mutualisation terminé" in client.get(national, {"annee": 2014}).content.decode()
    calcul = CalculFactory(campagne__annee=2014)
    _resultat(calcul, jeu["oph"], Decimal("100.00"), Decimal("10.00"))
    assert f"calcul n° {calcul.pk}" in client.get(national, {"annee": 2014}).content.decode()


# --- Access -------------------------------------------------------------------------------------------------------


def test_acces_par_role(client, personas, jeu):
    urls = [reverse(nom, kwargs=kwargs) for nom, kwargs in PAGES] + [
        reverse("suivi:organisme", kwargs={"siren": jeu["oph"].siren}), reverse("suivi-national-list"),
        reverse("suivi-region-detail", kwargs={"code": "11"})]
    for role, utilisateur in personas.items():
        client.force_login(utilisateur)
        attendu = 200 if role in ROLES_LECTEURS else 403
        for url in urls:
            assert client.get(url).status_code == attendu, (role, url)
    client.logout()
    assert client.get(urls[0]).status_code == 302
    assert client.get(urls[-1]).status_code == 403


def test_le_referent_regional_arrive_sur_sa_region(client, personas):
    referent = personas[Role.REFERENT_REGIONAL]
    client.force_login(referent)
    reponse = client.get(reverse("suivi:index"))
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("suivi:region", kwargs={"code": referent.region_id})
    assert client.get(reverse("suivi:national")).status_code == 200  # and still reads the national figures
    client.force_login(personas[Role.COMITE_SUIVI])
    assert client.get(reverse("suivi:index")).status_code == 200


# --- Exports --------------------------------------------------------------------------------------------------------


def test_export_csv_de_la_production(client, personas, jeu):
    reponse = _connecte(client, personas).get(reverse("suivi:national"),
                                              {"annee": 2014, "export": "production", "format": "csv"})
    assert reponse["Content-Type"].startswith("text/csv")
    assert 'filename="suivi-national-production-2014.csv"' in reponse["Content-Disposition"]
    lignes = list(csv.DictReader(io.StringIO(reponse.content.decode()), delimiter=";"))
    assert [ligne["annee"] for ligne in lignes] == ["2013", "2014", "2015"]
    ligne = lignes[1]
    assert (ligne["plus"], ligne["plai"], ligne["pls"], ligne["production_secteur"]) == ("125", "50", "90", "265")
    assert (ligne["production_hlm"], ligne["part_hlm"], ligne["taux_production"]) == ("195", "0.7358", "0.6500")
    assert (ligne["anru"], ligne["objectif_production"]) == ("50", "300")


def test_export_csv_des_organismes_neutralise_les_formules(client, personas, jeu):
    reponse = _connecte(client, personas).get(reverse("suivi:departement", kwargs={"code": "92"}),
                                              {"annee": 2014, "export": "organismes", "format": "csv"})
    lignes = list(csv.DictReader(io.StringIO(reponse.content.decode()), delimiter=";"))
    assert {ligne["nom"] for ligne in lignes} == {"'=SEM 92", "ESH du Sud"}
    assert {ligne["siren"]: ligne["hlm"] for ligne in lignes} == {jeu["sem"].siren: "non", jeu["esh"].siren: "oui"}


def test_export_xlsx_du_classement(client, personas, jeu):
    reponse = _connecte(client, personas).get(reverse("suivi:classement"),
                                              {"annee": 2014, "export": "regions", "format": "xlsx"})
    assert reponse["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    classeur = openpyxl.load_workbook(io.BytesIO(reponse.content))
    feuille = classeur["Regions"]
    entetes = [c.value for c in feuille[1]]
    assert entetes[:3] == ["Région", "Rang", "Agréés (secteur, hors ANRU)"]
    premiere = dict(zip(entetes, [c.value for c in feuille[2]], strict=True))
    assert premiere["Région"] == "Provence-Alpes-Côte d'Azur" and premiere["Rang"] == 1
    taux = entetes.index("Réalisation (production)") + 1
    assert feuille.cell(2, taux).value == Decimal("1.5")
    assert premiere["Région prioritaire"] == "oui" and premiere["Loin de l'objectif de production"] == "non"
    assert premiere["Réalisation (réhabilitation)"] == Decimal("1.25")
    assert feuille.max_row == 23
    assert feuille.cell(2, taux).number_format == "0.0 %"
    source = {ligne[0].value: ligne[1].value for ligne in classeur["Source"].iter_rows()}
    assert "agrements-2014.csv" in source["Source"] and source["Périmètre"] == "22 régions métropolitaines"


def test_export_inconnu(client, personas, jeu):
    _connecte(client, personas)
    assert client.get(reverse("suivi:national"), {"export": "rien", "format": "csv"}).status_code == 404
    assert client.get(reverse("suivi:national"), {"export": "production", "format": "pdf"}).status_code == 404


# --- API ------------------------------------------------------------------------------------------------------------


def test_api_nationale_et_region(client, personas, jeu):
    _connecte(client, personas)
    national = client.get(reverse("suivi-national-list"), {"annee": 2014}).json()
    annee = {a["annee"]: a for a in national["par_annee"]}[2014]
    assert (annee["production_secteur"], annee["production_hlm"], annee["taux_production"]) == (265, 195, "0.6500")
    premiere = national["regions"][0]
    assert premiere["code"] == "93" and premiere["indicateurs"]["taux_production"] == "1.5000"
    assert [f["nom_fichier"] for f in national["sources"]["agrements"]] == ["agrements-2014.csv"]

    region = client.get(reverse("suivi-region-detail", kwargs={"code": "11"}), {"annee": 2014}).json()
    assert region["prioritaire"] and {d["code"] for d in region["departements"]} >= {"75", "92"}
    departement = client.get(reverse("suivi-departement-detail", kwargs={"code": "75"}), {"annee": 2014}).json()
    assert [o["code"] for o in departement["organismes"]] == [jeu["oph"].siren, INCONNU]


def test_api_dans_le_schema_openapi(client, personas):
    schema = _connecte(client, personas).get(reverse("schema")).content.decode()
    for chemin in ("/api/v1/suivi/national/", "/api/v1/suivi/regions/{code}/", "/api/v1/suivi/departements/{code}/",
                   "/api/v1/suivi/organismes/{siren}/"):
        assert chemin in schema
