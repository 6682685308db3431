"""The mutualisation API: permissions by role and action, scope, filters, runs, barème, imports, schema."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mutualisation.enums import StatutCalcul, StatutImport
from mutualisation.models import Bareme, Calcul, Campagne, ImportFichier
from mutualisation.services.campagne import calcul_executer
from pacte.enums import Role
from tests.factories import BaseAnnuelleFactory, ImportFichierFactory, OrganismeFactory, PretFactory, RegionFactory
from tests.mutualisation.test_pages import JSON_DU_CALCUL, LECTEURS, calculer, construire_campagne

pytestmark = pytest.mark.django_db

LECTEURS_BAREME = LECTEURS  # mutualisation.view_bareme: every national role
USH_ET_COMMISSION = {Role.EQUIPE_USH, Role.COMMISSION, Role.ADMINISTRATEUR}  # modifier_bareme, lancer_calcul


@pytest.fixture
def campagne(personas):
    return construire_campagne(personas)


def _api(nom: str, **kwargs) -> str:
    return reverse(nom, kwargs=kwargs or None)


def _statuts(client, personas, url: str) -> dict:
    statuts = {}
    for role, utilisateur in personas.items():
        client.force_login(utilisateur)
        statuts[role] = client.get(url).status_code
    return statuts


LECTURES = {
    "mutualisation-bareme-list": (LECTEURS_BAREME, {}),
    "mutualisation-bareme-detail": (LECTEURS_BAREME, {"annee": 2013}),
    "mutualisation-calcul-list": (LECTEURS, {}),
    "mutualisation-resultat-list": (LECTEURS, {"annee": 2013}),
    "mutualisation-import-list": ({Role.EQUIPE_USH, Role.ADMINISTRATEUR}, {}),
}


@pytest.mark.parametrize("nom", LECTURES)
def test_lectures_par_role(client, personas, campagne, nom):
    autorises, parametres = LECTURES[nom]
    obtenus = _statuts(client, personas, _api(nom, **parametres))
    assert obtenus == {role: 200 if role in autorises else 403 for role in personas}


def test_ecritures_par_role(client, personas, campagne):
    bareme = _api("mutualisation-bareme-detail", annee=2013)
    calculs = _api("mutualisation-calcul-list")
    for role, utilisateur in personas.items():
        client.force_login(utilisateur)
        modification = client.patch(bareme, {"frais_gestion": "0.00"}, content_type="application/json")
        lancement = client.post(calculs, {"annee": 2013}, content_type="application/json")
        Calcul.objects.filter(statut=StatutCalcul.EN_ATTENTE).delete()
        assert modification.status_code == (200 if role in USH_ET_COMMISSION else 403), role
        assert lancement.status_code == (202 if role in USH_ET_COMMISSION else 403), role


def test_lectures_d_un_objet_par_role(client, personas, campagne):
    importe = ImportFichierFactory()
    equipe = {Role.EQUIPE_USH, Role.ADMINISTRATEUR}
    pages = {
        _api("mutualisation-calcul-detail", pk=campagne["calcul"].pk): LECTEURS,
        _api("mutualisation-import-detail", pk=importe.pk): equipe,
        _api("mutualisation-import-rapport", pk=importe.pk): equipe,
        _api("mutualisation-avis-detail", annee=2013, siren=campagne["oph"].siren): LECTEURS | {Role.ORGANISME},
    }
    for url, autorises in pages.items():
        assert _statuts(client, personas, url) == {r: 200 if r in autorises else 403 for r in personas}, url


def test_anonyme_refuse(client, campagne):
    assert client.get(_api("mutualisation-calcul-list")).status_code == 403


# --- Barème ------------------------------------------------------------------------------------------------------


def test_bareme_lecture_et_modification_reservee(client, personas, campagne):
    url = _api("mutualisation-bareme-detail", annee=2013)
    client.force_login(personas[Role.COMITE_SUIVI])
    assert client.get(url).json()["montant_zone_1"] == "3300.00"
    assert client.patch(url, {"frais_gestion": "10.00"}, content_type="application/json").status_code == 403
    client.force_login(personas[Role.COMMISSION])
    reponse = client.patch(url, {"frais_gestion": "2500.00"}, content_type="application/json")
    assert reponse.status_code == 200 and reponse.json()["frais_gestion"] == "2500.00"
    assert Bareme.objects.get(annee=2013).frais_gestion == Decimal("2500.00")


def test_bareme_modification_refusee_annee_validee(client, personas, campagne):
    Campagne.objects.filter(annee=2013).update(statut="validee")
    client.force_login(personas[Role.EQUIPE_USH])
    reponse = client.patch(_api("mutualisation-bareme-detail", annee=2013), {"frais_gestion": "1.00"},
                           content_type="application/json")
    assert reponse.status_code == 400 and "figés" in reponse.json()["detail"]
    assert Bareme.objects.get(annee=2013).frais_gestion == 0


def test_bareme_poids_invalides_refuses(client, personas, campagne):
    client.force_login(personas[Role.COMMISSION])
    reponse = client.patch(_api("mutualisation-bareme-detail", annee=2013), {"poids_loyers": "0.9"},
                           content_type="application/json")
    assert reponse.status_code == 400 and reponse.json()["detail"]


# --- Runs -----------------------------------------------------------------------------------------------------------


def test_lancer_un_calcul_puis_son_etat(client, personas, campagne):
    client.force_login(personas[Role.COMITE_SUIVI])
    assert client.post(_api("mutualisation-calcul-list"), {"annee": 2013},
                       content_type="application/json").status_code == 403
    client.force_login(personas[Role.EQUIPE_USH])
    reponse = client.post(_api("mutualisation-calcul-list"), {"annee": 2013}, content_type="application/json")
    assert reponse.status_code == 202
    lance = reponse.json()
    assert lance["statut"] == "en_attente" and lance["annee"] == 2013 and lance["lance_par"] == "persona-equipe_ush"
    assert lance["url_etat"] == reverse("mutualisation:calcul-etat", kwargs={"pk": lance["id"]})
    calcul_executer(lance["id"])
    etat = client.get(_api("mutualisation-calcul-detail", pk=lance["id"])).json()
    assert (etat["statut"], etat["avancement"]) == ("termine", 100)
    assert etat["totaux"]["nb_organismes"] == 3 and len(etat["empreinte_entrees"]) == 64
    annee = client.get(_api("mutualisation-calcul-list"), {"annee": 2013}).json()
    assert annee["count"] == 2 and annee["results"][0]["id"] == lance["id"]


def test_lancer_un_calcul_deux_fois_refuse(client, personas, campagne):
    client.force_login(personas[Role.COMMISSION])
    client.post(_api("mutualisation-calcul-list"), {"annee": 2013}, content_type="application/json")
    reponse = client.post(_api("mutualisation-calcul-list"), {"annee": 2013}, content_type="application/json")
    assert reponse.status_code == 400 and "déjà en cours" in reponse.json()["detail"]
    assert Calcul.objects.filter(statut=StatutCalcul.EN_ATTENTE).count() == 1


def test_lancer_un_calcul_annee_hors_pacte(client, personas):
    client.force_login(personas[Role.COMMISSION])
    reponse = client.post(_api("mutualisation-calcul-list"), {"annee": 2016}, content_type="application/json")
    assert reponse.status_code == 400 and "annee" in reponse.json()


# --- Results and explanations -------------------------------------------------------------------------------------


def test_resultats_filtres_et_tri(client, personas, campagne, django_assert_max_num_queries):
    client.force_login(personas[Role.REFERENT_REGIONAL])
    url = _api("mutualisation-resultat-list", annee=2013)
    with django_assert_max_num_queries(8):
        tous = client.get(url).json()
    assert tous["count"] == 3 and {r["siren"] for r in tous["results"]} == {
        campagne[c].siren for c in ("oph", "esh", "coop")
    }
    assert [r["siren"] for r in client.get(url, {"region": "93"}).json()["results"]] == [campagne["esh"].siren]
    assert [r["siren"] for r in client.get(url, {"famille": "COOP"}).json()["results"]] == [campagne["coop"].siren]
    assert [r["sens"] for r in client.get(url, {"sens": "appel_de_fonds"}).json()["results"]] == ["appel_de_fonds"]
    assert client.get(url, {"recherche": campagne["oph"].siren}).json()["count"] == 1
    soldes = [Decimal(r["solde"]) for r in client.get(url, {"tri": "-solde"}).json()["results"]]
    assert soldes == sorted(soldes, reverse=True) and sum(soldes) == 0
    assert client.get(_api("mutualisation-resultat-list", annee=2014)).json()["count"] == 0


def test_resultats_serialises_une_fois_par_calcul_et_par_adresse(client, personas, campagne):
    client.force_login(personas[Role.COMMISSION])
    url = _api("mutualisation-resultat-list", annee=2013)
    premiere = client.get(url, {"taille": 2}).json()
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url, {"taille": 2}).json() == premiere
    assert not [q for q in requetes.captured_queries if "mutualisation_resultatorganisme" in q["sql"]]
    assert len(premiere["results"]) == 2 and "taille=2" in premiere["next"]
    assert client.get(url).json()["count"] == 3 and len(client.get(url).json()["results"]) == 3
    nouvel_organisme = OrganismeFactory()
    BaseAnnuelleFactory(organisme=nouvel_organisme)
    PretFactory(organisme=nouvel_organisme)
    calculer()
    assert client.get(url, {"taille": 2}).json()["count"] == 4


def test_resultats_en_cache_quatre_requetes_sans_la_ligne_du_calcul(client, personas, campagne,
                                                                   django_assert_num_queries):
    """A cache hit: session, user, the permission query (read at every request), the run's id and date."""
    client.force_login(personas[Role.COMMISSION])
    url = _api("mutualisation-resultat-list", annee=2013)
    premiere = client.get(url).json()
    with django_assert_num_queries(4) as requetes:
        assert client.get(url).json() == premiere
    sql = [q["sql"] for q in requetes.captured_queries]
    assert sum("auth_permission" in requete for requete in sql) == 1
    (lecture_du_calcul,) = [requete for requete in sql if "mutualisation_calcul" in requete]
    assert not [champ for champ in JSON_DU_CALCUL if f'"{champ}"' in lecture_du_calcul]
    assert premiere["count"] == 3


def test_avis_d_un_organisme_par_son_utilisateur_seulement(client, personas, campagne):
    client.force_login(personas[Role.ORGANISME])
    propre = client.get(_api("mutualisation-avis-detail", annee=2013, siren=campagne["oph"].siren)).json()
    assert propre["resultat"]["siren"] == campagne["oph"].siren and propre["calcul"] == campagne["calcul"].pk
    operation = propre["explication"]["operations_production"][0]
    assert (operation["logements_plus"], operation["logements_plai"], operation["aide"]) == (20, 5, "82500.00")
    assert {p["numero_pret"] for p in operation["prets"]} == {"P-PLUS", "P-FONC", "P-PLAI"}
    assert any(h["numero_pret"] == "P-2012" for h in propre["explication"]["hors_champ"])
    autre = _api("mutualisation-avis-detail", annee=2013, siren=campagne["esh"].siren)
    assert client.get(autre).status_code == 404
    assert client.get(_api("mutualisation-resultat-list", annee=2013)).status_code == 403


def test_avis_organisme_non_concerne(client, personas, campagne):
    client.force_login(personas[Role.COMMISSION])
    avis = client.get(_api("mutualisation-avis-detail", annee=2013, siren=campagne["sem"].siren)).json()
    assert avis["resultat"] is None and avis["hors_champ"][0]["motif"] == "ORGANISME_NON_HLM"


def test_avis_sans_acces_aux_resultats(client, personas, campagne):
    client.force_login(personas[Role.COMITE_ORIENTATION])
    reponse = client.get(_api("mutualisation-avis-detail", annee=2013, siren=campagne["esh"].siren))
    assert reponse.status_code == 403 and "resultat" not in reponse.json()


# --- Imports ---------------------------------------------------------------------------------------------------------


def _fichier(contenu: bytes, nom: str = "organismes.csv") -> io.BytesIO:
    fichier = io.BytesIO(contenu)
    fichier.name = nom
    return fichier


def test_import_depot_statut_et_rapport(client, personas):
    RegionFactory()
    client.force_login(personas[Role.EQUIPE_USH])
    siren = OrganismeFactory.build().siren
    valide = f"siren;raison_sociale;famille;code_region;metropole\n{siren};Habitat du Val;OPH;11;oui\n".encode()
    depot = {"type_fichier": "organismes", "fichier": _fichier(valide)}
    reponse = client.post(_api("mutualisation-import-list"), depot)
    assert reponse.status_code == 201, reponse.content
    depose = reponse.json()
    assert (depose["statut"], depose["nb_ajoutees"], depose["cree_par"]) == ("importe", 1, "persona-equipe_ush")
    assert depose["etat"]["termine"] is True
    faux = b"siren;raison_sociale;famille;code_region;metropole\n123456789;Faux;OPH;11;oui\n"
    refuse = client.post(_api("mutualisation-import-list"), {"type_fichier": "organismes",
                                                             "fichier": _fichier(faux, "faux.csv")}).json()
    assert refuse["statut"] == StatutImport.REFUSE
    rapport = client.get(_api("mutualisation-import-rapport", pk=refuse["id"])).json()
    assert rapport["count"] == 1
    assert rapport["results"][0] | {"motif": ""} == {"ligne": 2, "colonne": "siren", "valeur": "123456789",
                                                      "motif": ""}
    assert client.get(_api("mutualisation-import-detail", pk=refuse["id"])).json()["message"].startswith("Fichier")


def test_import_reserve_a_l_equipe(client, personas):
    client.force_login(personas[Role.COMMISSION])
    reponse = client.post(_api("mutualisation-import-list"), {"type_fichier": "organismes",
                                                              "fichier": _fichier(b"siren\n")})
    assert reponse.status_code == 403 and not ImportFichier.objects.exists()
    client.force_login(personas[Role.EQUIPE_USH])
    importe = ImportFichierFactory()
    assert client.get(_api("mutualisation-import-detail", pk=importe.pk)).json()["nom_fichier"] == importe.nom_fichier


def test_schema_openapi_decrit_l_api_de_la_mutualisation(client, personas):
    client.force_login(personas[Role.EQUIPE_USH])
    schema = client.get(reverse("schema"), {"format": "json"}).json()
    chemins = set(schema["paths"])
    assert {
        "/api/v1/mutualisation/baremes/{annee}/", "/api/v1/mutualisation/calculs/",
        "/api/v1/mutualisation/calculs/{id}/", "/api/v1/mutualisation/imports/",
        "/api/v1/mutualisation/imports/{id}/rapport/", "/api/v1/mutualisation/campagnes/{annee}/resultats/",
        "/api/v1/mutualisation/campagnes/{annee}/organismes/{siren}/",
    } <= chemins
    assert "patch" in schema["paths"]["/api/v1/mutualisation/baremes/{annee}/"]
