import pytest
from django.urls import reverse

from pacte.enums import Role
from pacte.services import referentiels_charger
from tests.factories import OrganismeFactory

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def test_accueil_objectifs_et_engagements(client, personas, django_assert_max_num_queries):
    referentiels_charger()
    client.force_login(personas[Role.COMITE_SUIVI])
    with django_assert_max_num_queries(8):
        reponse = client.get(reverse("accueil"))
    contenu = reponse.content.decode()
    assert f"120{NBSP}000" in contenu and f"100{NBSP}000" in contenu
    assert "E01" in contenu and "E59" in contenu
    assert 'lang="fr"' in contenu


def test_liste_des_organismes_nombre_de_requetes_constant(client, personas, django_assert_max_num_queries):
    client.force_login(personas[Role.EQUIPE_USH])
    OrganismeFactory.create_batch(5)
    with django_assert_max_num_queries(8) as requetes_5:
        client.get(reverse("organismes"))
    OrganismeFactory.create_batch(40)
    with django_assert_max_num_queries(8) as requetes_45:
        reponse = client.get(reverse("organismes"))
    assert len(requetes_45.captured_queries) == len(requetes_5.captured_queries)
    assert reponse.content.decode().count("<tr>") == 46 + 1  # header + 46 organisms (45 + the persona's)


def test_recherche_d_organisme_par_siren_ou_nom(client, personas):
    client.force_login(personas[Role.EQUIPE_USH])
    cible = OrganismeFactory(raison_sociale="Habitat du Val de Marne")
    OrganismeFactory.create_batch(3)
    contenu = client.get(reverse("organismes"), {"recherche": "val de marne"}).content.decode()
    assert cible.siren in contenu and "1 organisme" in contenu
    contenu = client.get(reverse("organismes"), {"recherche": cible.siren[:6]}).content.decode()
    assert cible.siren in contenu


def test_liste_des_regions_nombre_de_requetes(client, personas, django_assert_max_num_queries):
    referentiels_charger()
    client.force_login(personas[Role.REFERENT_REGIONAL])
    with django_assert_max_num_queries(7):
        contenu = client.get(reverse("regions")).content.decode()
    assert "Languedoc-Roussillon" in contenu and "2A Corse-du-Sud" in contenu


def test_page_sante_publique(client):
    assert client.get(reverse("sante")).json() == {"statut": "ok"}


def test_schema_openapi_et_swagger_servis_localement(client, personas):
    client.force_login(personas[Role.EQUIPE_USH])
    assert client.get(reverse("schema")).status_code == 200
    page = client.get(reverse("swagger")).content.decode()
    assert "/static/drf_spectacular_sidecar/" in page and "cdn" not in page.lower()
