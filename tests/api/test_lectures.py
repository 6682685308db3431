"""The API's read endpoints added for the pages' resources (docs/api.md): who reads what, the same scope as the
pages (outside it: 404), internal comments kept internal, pagination with its cap, throttling (429)."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.throttling import UserRateThrottle

from pacte.api_socle import Pagination
from pacte.enums import Role
from tests.appels.factories import CandidatureFactory
from tests.factories import OrganismeFactory, RegionFactory

pytestmark = pytest.mark.django_db

TOUS = set(Role)
LECTEURS_RESULTATS = {Role.EQUIPE_USH, Role.COMMISSION, Role.COMITE_SUIVI, Role.SECRETARIAT, Role.REFERENT_REGIONAL,
                      Role.ADMINISTRATEUR}
LECTEURS_COMITE = TOUS - {Role.ORGANISME}
AUDIT_ET_SIMULATIONS = {Role.EQUIPE_USH, Role.COMMISSION, Role.ADMINISTRATEUR}

# route name, URL kwargs (None: from the dataset), the roles that read it (everyone else: 403)
LECTURES = [
    ("evenement-list", {}, {Role.ADMINISTRATEUR}),
    ("utilisateur-list", {}, {Role.ADMINISTRATEUR}),
    ("mutualisation-campagne-list", {}, LECTEURS_RESULTATS),
    ("mutualisation-campagne-detail", {"annee": 2013}, LECTEURS_RESULTATS),
    ("mutualisation-audit-campagne-list", {"annee": 2013}, AUDIT_ET_SIMULATIONS),
    ("mutualisation-simulation-list", {"annee": 2013}, AUDIT_ET_SIMULATIONS),
    ("suivi-reunion-list", {}, LECTEURS_COMITE),
    ("suivi-blocage-list", {}, LECTEURS_COMITE),
    ("suivi-bonne-pratique-list", {}, LECTEURS_COMITE),
    ("suivi-diagnostic-list", {}, LECTEURS_COMITE),
    ("suivi-rapport-list", {}, LECTEURS_COMITE),
    ("suivi-mise-a-jour-list", {}, TOUS),
    ("appels-fonds-innovation-list", {}, TOUS),
]


def _statuts(client, personas, url) -> dict:
    statuts = {}
    for role, utilisateur in personas.items():
        client.force_login(utilisateur)
        statuts[role] = client.get(url).status_code
    return statuts


@pytest.mark.parametrize(("nom", "parametres", "lecteurs"), LECTURES, ids=[ligne[0] for ligne in LECTURES])
def test_qui_lit_quoi(client, personas, nom, parametres, lecteurs):
    attendus = {role: 200 if role in lecteurs else 403 for role in Role}
    assert _statuts(client, personas, reverse(nom, kwargs=parametres or None)) == attendus


def test_les_lectures_montrent_les_donnees_des_pages(client, personas, donnees_api):
    client.force_login(personas[Role.ADMINISTRATEUR])
    campagne = client.get(reverse("mutualisation-campagne-detail", kwargs={"annee": 2013})).json()
    assert campagne["approbations"][0]["membre"] == personas[Role.COMMISSION].username
    assert any(etape["action"] == "calcul_termine" for etape in campagne["chronologie"])
    assert campagne["ajustements"][0]["montant"] == "-1500.00"
    simulation = client.get(reverse("mutualisation-simulation-list", kwargs={"annee": 2013})).json()["results"][0]
    assert simulation["modifications"] == {"frais_gestion": ["0.00", "1.00"]}
    blocage = client.get(reverse("suivi-blocage-list")).json()["results"][0]
    detail = client.get(reverse("suivi-blocage-detail", kwargs={"pk": blocage["id"]})).json()
    assert detail["historique"][0]["changements"] == {"statut": ["OUVERT", "EN_TRAITEMENT"]}
    audit = client.get(reverse("mutualisation-audit-campagne-list", kwargs={"annee": 2013})).json()
    assert audit["count"] > 0 and {"table", "avant", "apres", "source"} <= set(audit["results"][0])


def test_hors_perimetre_404_comme_les_pages(client, personas, donnees_api):
    """An organism reads its own file, not another organism's (404, no existence leak); its own audit trail is
    closed to it (403, as the page), and a reader of audit trails gets 404 for an unknown SIREN."""
    organisme = personas[Role.ORGANISME]
    autre = CandidatureFactory(organisme=OrganismeFactory(region=RegionFactory(code="93", nom="PACA")))
    propre = donnees_api.valeurs_des_chemins["/api/v1/appels/candidatures/{id}/"]["id"]
    client.force_login(organisme)
    assert client.get(reverse("appels-candidature-detail", kwargs={"pk": autre.pk})).status_code == 404
    assert client.get(reverse("organisme-detail", kwargs={"siren": autre.organisme_id})).status_code == 404
    dossier = client.get(reverse("appels-candidature-detail", kwargs={"pk": propre}))
    assert dossier.status_code == 200 and dossier.json()["commentaires"] == []  # the committee's note is internal
    assert dossier.json()["projet"]["cout_total"] == "200000.00"
    siren = organisme.organisme_id
    assert client.get(reverse("mutualisation-audit-organisme-list", kwargs={"siren": siren})).status_code == 403

    client.force_login(personas[Role.COMITE_ORIENTATION])
    assert len(client.get(reverse("appels-candidature-detail", kwargs={"pk": propre})).json()["commentaires"]) == 1
    client.force_login(personas[Role.COMMISSION])
    assert client.get(reverse("mutualisation-audit-organisme-list", kwargs={"siren": siren})).status_code == 200
    assert client.get(reverse("mutualisation-audit-organisme-list",
                              kwargs={"siren": "999999999"})).status_code == 404


def test_pagination_plafonnee(client, personas, monkeypatch):
    for code, nom in (("93", "Provence-Alpes-Côte d'Azur"), ("24", "Centre"), ("53", "Bretagne")):
        RegionFactory(code=code, nom=nom)
    client.force_login(personas[Role.EQUIPE_USH])
    page = client.get("/api/v1/regions/", {"taille": 2}).json()
    assert page["count"] == 4 and len(page["results"]) == 2 and "page=2" in page["next"]
    monkeypatch.setattr(Pagination, "max_page_size", 3)
    assert len(client.get("/api/v1/regions/", {"taille": 1000}).json()["results"]) == 3
    hors_limite = client.get("/api/v1/regions/", {"page": 99})
    assert hors_limite.status_code == 404 and hors_limite["Content-Type"] == "application/json"


def test_debit_limite_429(client, personas, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    client.force_login(personas[Role.ORGANISME])
    statuts = [client.get("/api/v1/engagements/").status_code for _ in range(4)]
    assert statuts == [200, 200, 200, 429]
    trop = client.get("/api/v1/engagements/")
    assert trop.status_code == 429 and int(trop["Retry-After"]) > 0 and "detail" in trop.json()
    client.force_login(personas[Role.SECRETARIAT])  # counted per user: another account is not held back
    assert client.get("/api/v1/engagements/").status_code == 200


def test_le_schema_documente_les_erreurs_et_le_jeton():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["securitySchemes"]["jeton"] == {
        "type": "http", "scheme": "bearer", "description": schema["components"]["securitySchemes"]["jeton"][
            "description"]}
    for chemin, operations in schema["paths"].items():
        for methode, operation in operations.items():
            assert {"401", "403", "404", "429"} <= set(operation["responses"]), f"{methode} {chemin}"
